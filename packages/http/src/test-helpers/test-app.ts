import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStreams, type TopicStore } from '@esc/streams';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { createHttpApp, type HttpAppOptions } from '../http-app.js';

export interface TestApp {
  app: FastifyInstance;
  store: TopicStore;
  dir: string;
  /** Closes the app and the store and opens both again on the same directory (a restart). */
  restart(more?: Partial<HttpAppOptions>): Promise<TestApp>;
}

/**
 * Returns a maker of apps over a fresh topic directory each; every app, store and directory is closed and
 * removed after each test.
 */
export function useTestApps(): (options?: Partial<HttpAppOptions>, dir?: string) => Promise<TestApp> {
  const open: { app: FastifyInstance; store: TopicStore }[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.app.close();
      await o.store.close();
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const make = async (options: Partial<HttpAppOptions> = {}, given?: string): Promise<TestApp> => {
    let dir = given;
    if (dir === undefined) {
      dir = mkdtempSync(join(tmpdir(), 'esc-http-'));
      dirs.push(dir);
    }
    const store = openStreams(dir, { onWarning: () => {} });
    const app = await createHttpApp({ store, ...options });
    const entry = { app, store };
    open.push(entry);
    return {
      app,
      store,
      dir,
      restart: async (more = {}) => {
        open.splice(open.indexOf(entry), 1);
        await app.close();
        await store.close();
        return make({ ...options, ...more }, dir);
      },
    };
  };
  return make;
}
