/**
 * The part of PouchDB's API that Tongda uses, typed here instead of with @types/pouchdb: that
 * package pulls the DOM library into every Node layer (it references lib "dom"), which both
 * breaks Node's Buffer types under TypeScript 5.9 and would let main-process code use `window`
 * without a compile error.
 */
declare module 'pouchdb' {
  namespace PouchDB {
    interface IdMeta {
      _id: string;
    }
    interface RevisionIdMeta {
      _rev: string;
    }
    type Document = IdMeta & Record<string, unknown>;
    type ExistingDocument = IdMeta & RevisionIdMeta & Record<string, unknown>;

    interface WriteSuccess {
      ok: true;
      id: string;
      rev: string;
    }
    interface WriteFailure {
      error: true | string;
      id?: string;
      status?: number;
      name?: string;
      message?: string;
      reason?: string;
    }
    type WriteResult = WriteSuccess | WriteFailure;

    interface AllDocsOptions {
      startkey?: string;
      endkey?: string;
      key?: string;
      keys?: string[];
      include_docs?: boolean;
      descending?: boolean;
      limit?: number;
      skip?: number;
      inclusive_end?: boolean;
    }
    interface AllDocsRow {
      id: string;
      key: string;
      value: { rev: string; deleted?: boolean };
      doc?: ExistingDocument | null;
      error?: string;
    }
    interface AllDocsResponse {
      total_rows: number;
      offset: number;
      rows: AllDocsRow[];
    }
    interface DatabaseInfo {
      db_name: string;
      doc_count: number;
      update_seq: number | string;
    }
    interface ChangesOptions {
      /** A sequence, or the string 'now'. */
      since?: number | string;
      live?: boolean;
      include_docs?: boolean;
      limit?: number;
    }
    interface Change {
      id: string;
      seq: number | string;
      changes: { rev: string }[];
      deleted?: boolean;
      doc?: ExistingDocument;
    }
    interface ChangesFeed {
      on(event: 'change', listener: (change: Change) => void): ChangesFeed;
      on(event: 'error', listener: (error: unknown) => void): ChangesFeed;
      on(event: 'complete', listener: (info: unknown) => void): ChangesFeed;
      cancel(): void;
    }
    interface DatabaseConfiguration {
      adapter?: string;
      db?: unknown;
      auto_compaction?: boolean;
      revs_limit?: number;
    }
    interface Database {
      readonly name: string;
      get(id: string): Promise<ExistingDocument>;
      put(doc: Document): Promise<WriteSuccess>;
      bulkDocs(docs: readonly object[]): Promise<WriteResult[]>;
      allDocs(options?: AllDocsOptions): Promise<AllDocsResponse>;
      changes(options: ChangesOptions & { live: true }): ChangesFeed;
      changes(options?: ChangesOptions): Promise<{ results: Change[]; last_seq: number | string }>;
      info(): Promise<DatabaseInfo>;
      close(): Promise<void>;
      destroy(): Promise<void>;
    }
  }
  interface PouchDBConstructor {
    new (name: string, options?: PouchDB.DatabaseConfiguration): PouchDB.Database;
    plugin(plugin: unknown): PouchDBConstructor;
  }
  const PouchDB: PouchDBConstructor;
  export = PouchDB;
}

/** The Mango query plugin; used only by the benchmark, to compare with the in-memory index. */
declare module 'pouchdb-find' {
  const PouchDBFind: unknown;
  export = PouchDBFind;
}
