// Vite build of the web console (Preact, JSX through Vite's oxc transform): ui/ -> build/ui, served by the
// LAPI under /ui/. No inline script or style (the console's CSP forbids them), no external asset.
import { defineConfig } from 'vite';

export default defineConfig({
  root: __dirname,
  base: '/ui/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: '../build/ui', emptyOutDir: true, modulePreload: { polyfill: false }, assetsInlineLimit: 0 },
});
