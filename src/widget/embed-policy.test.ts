import { describe, expect, it } from 'vitest';
import { embedderAllowed, placementAllowed } from './embed-policy.ts';

const OWN = 'https://tab-llm.example';
const ALLOWED = ['https://shop.example', 'https://*.blog.example', 'http://localhost:*'];

describe('embedding policy', () => {
  it('allows the app itself and the listed sites, exactly', () => {
    expect(embedderAllowed(OWN, OWN, ALLOWED)).toBe(true);
    expect(embedderAllowed('https://shop.example', OWN, ALLOWED)).toBe(true);
    expect(embedderAllowed('https://a.blog.example', OWN, ALLOWED)).toBe(true);
    expect(embedderAllowed('http://localhost:5173', OWN, ALLOWED)).toBe(true);
  });

  it('refuses other schemes, ports, look-alike hosts and opaque origins', () => {
    for (const origin of [
      'http://shop.example', // scheme
      'https://shop.example:8443', // port
      'https://shop.example.evil.example',
      'https://evilshop.example',
      'https://blog.example', // the wildcard covers subdomains only
      'http://127.0.0.1:5173',
      'null',
      'https://shop.example/path',
      '',
    ]) {
      expect(embedderAllowed(origin, OWN, ALLOWED), origin).toBe(false);
    }
  });

  it('renders only when every page around it is allowed', () => {
    expect(placementAllowed([], OWN, ALLOWED)).toBe(true); // top level
    expect(placementAllowed(['https://shop.example'], OWN, ALLOWED)).toBe(true);
    expect(placementAllowed(['https://shop.example', 'https://evil.example'], OWN, ALLOWED)).toBe(
      false,
    );
    expect(placementAllowed(['https://evil.example'], OWN, [])).toBe(false);
    // Browsers without ancestorOrigins: only the frame-ancestors header decides.
    expect(placementAllowed(null, OWN, [])).toBe(true);
  });
});
