import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.tsx';
import { startEngine } from './lib/engine-bootstrap.ts';
import './app/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
// Outside React, so that StrictMode's double render never starts a second worker.
const services = startEngine();
createRoot(root).render(
  <StrictMode>
    <App services={services} />
  </StrictMode>,
);
