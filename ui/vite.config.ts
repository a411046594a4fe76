/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The desktop shell loads ui/dist (frontendDist); `vite` alone serves the browser preview, forwarding the backend's
// calls to the test bridge (`cargo run -p runsheet-desktop --example bridge -- --port 7878`, or
// RUNSHEET_BRIDGE_PORT), which serves the desktop's commands from the real Rust code.
const bridge = `http://127.0.0.1:${process.env.RUNSHEET_BRIDGE_PORT ?? '7878'}`;
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: '127.0.0.1', proxy: { '/invoke': bridge, '/events': bridge } },
  preview: { port: 4173, strictPort: false, host: '127.0.0.1' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 0, chunkSizeWarningLimit: 1000 },
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
});
