import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// In dev the API and the live socket are the real server's (KEEPWATCH_PORT default 8470),
// proxied so the session cookie stays same-origin exactly as in production.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8470', ws: true },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
