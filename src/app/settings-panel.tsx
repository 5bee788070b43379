import { BackendSetting } from '../features/models/components/backend-setting.tsx';
import { ContextSetting } from '../features/models/components/context-setting.tsx';
import { DefaultSystemPrompt } from '../features/chat/components/default-system-prompt.tsx';
import { usePreference, usePreferenceStore } from '../lib/engine-context.tsx';
import type { ThemePreference } from '../lib/preferences.ts';

/** The user's standing choices; each applies at once and is kept in this browser. */
export function SettingsPanel() {
  const preferences = usePreferenceStore();
  const theme = usePreference('theme');
  const autoLoad = usePreference('autoLoadLast');
  const verifySha256 = usePreference('verifyStoredSha256');
  return (
    <section aria-labelledby="settings-heading" className="panel settings-panel">
      <h2 id="settings-heading">Settings</h2>
      <div className="field">
        <label htmlFor="theme">Theme</label>
        <select
          id="theme"
          value={theme}
          onChange={(e) => void preferences.update({ theme: e.target.value as ThemePreference })}
        >
          <option value="system">Same as the system</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={autoLoad}
          onChange={(e) => void preferences.update({ autoLoadLast: e.target.checked })}
        />
        Load the last model when the app opens (from this device only, never downloaded again)
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={verifySha256}
          onChange={(e) => void preferences.update({ verifyStoredSha256: e.target.checked })}
        />
        Check a stored model&apos;s SHA-256 each time it is opened (where Hugging Face published
        one; a few seconds per GB)
      </label>
      <BackendSetting />
      <ContextSetting />
      <DefaultSystemPrompt />
    </section>
  );
}
