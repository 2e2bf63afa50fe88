/**
 * The part of express-pouchdb 4.2 that the embedded central uses (sync/central/server.ts). The
 * app is an express application, which is also a plain Node request listener: the server calls
 * it as one, so express's own types are not needed.
 */
declare module 'express-pouchdb' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type PouchDB from 'pouchdb';

  namespace expressPouchDB {
    interface CouchConfig {
      /** Admin passwords set here are hashed (pbkdf2) before they are kept. */
      set(section: string, key: string, value: string | number | boolean, callback: (error: unknown) => void): void;
      get(section: string, key: string): unknown;
    }
    interface Options {
      mode?: 'fullCouchDB' | 'minimumForPouchDB' | 'custom';
      /** Where `_config` is kept; ignored with inMemoryConfig. Default ./config.json (in the working directory!). */
      configPath?: string;
      inMemoryConfig?: boolean;
      /** Default ./log.txt (in the working directory!). */
      logPath?: string;
      overrideMode?: { include?: string[]; exclude?: string[] };
    }
    interface App {
      (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void): void;
      readonly couchConfig: CouchConfig;
      setPouchDB(constructor: typeof PouchDB): Promise<void>;
    }
  }
  function expressPouchDB(options: expressPouchDB.Options): expressPouchDB.App;
  export = expressPouchDB;
}
