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
      /** With include_docs: each doc carries `_conflicts` (the losing leaf revisions), if any. */
      conflicts?: boolean;
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
      /** leveldb adapter: prepended to the name to make the folder (the embedded central's data directory). */
      prefix?: string;
      /** http adapter: sent as HTTP Basic on every request (pouchdb 9 sets the Authorization header itself). */
      auth?: { username: string; password: string };
      /** http adapter: do not PUT the database when it is missing (a station must never create databases on central). */
      skip_setup?: boolean;
      /** http adapter: replaces the fetch it uses (default: node-fetch with a cookie jar, `PouchDB.fetch`). */
      fetch?: (url: string, options: Record<string, unknown>) => Promise<unknown>;
    }
    // --- Replication (sync/replication) ---
    interface ReplicateOptions {
      /** Where to start in the source's changes; with `checkpoint: false` the caller keeps its own checkpoints. */
      since?: number | string;
      checkpoint?: false | 'source' | 'target';
      batch_size?: number;
      batches_limit?: number;
      live?: boolean;
      retry?: boolean;
      /** A client-side filter: the source's changes are read with include_docs to apply it. */
      filter?: (doc: ExistingDocument) => boolean;
      doc_ids?: string[];
    }
    interface ReplicationResult {
      ok: boolean;
      docs_read: number;
      docs_written: number;
      doc_write_failures: number;
      errors: unknown[];
      last_seq: number | string;
      status?: 'complete' | 'cancelled' | 'aborting';
      /** On 'change' events: the documents written by that batch. */
      docs?: ExistingDocument[];
    }
    interface Replication extends PromiseLike<ReplicationResult> {
      /** 'change': after each batch written; 'complete': at the end (also when cancelled). */
      on(event: 'change' | 'complete', listener: (info: ReplicationResult) => void): Replication;
      /** Every step of the replicator; `checkpoint` is set once a batch is in the target. */
      on(event: 'checkpoint', listener: (info: { checkpoint?: number | string }) => void): Replication;
      on(event: 'denied' | 'error', listener: (error: unknown) => void): Replication;
      cancel(): void;
    }
    interface Database {
      readonly name: string;
      /** `revs`: the doc carries `_revisions` ({ start, ids }), what `bulkDocs(..., { new_edits: false })` keeps (sync/service). */
      get(id: string, options?: { revs?: boolean; rev?: string }): Promise<ExistingDocument>;
      bulkGet(options: { docs: { id: string; rev?: string }[]; revs?: boolean }): Promise<{
        results: { id: string; docs: ({ ok: ExistingDocument } | { error: { id?: string; rev?: string; error?: string; reason?: string } })[] }[];
      }>;
      put(doc: Document): Promise<WriteSuccess>;
      remove(id: string, rev: string): Promise<WriteSuccess>;
      bulkDocs(docs: readonly object[], options?: { new_edits?: boolean }): Promise<WriteResult[]>;
      /** In Node, a Buffer. */
      getAttachment(docId: string, attachmentId: string): Promise<Uint8Array>;
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
    /** A constructor whose databases get these options unless a call overrides them (sync/central). */
    defaults(options: PouchDB.DatabaseConfiguration): PouchDBConstructor;
    /** One event emitter shared by every PouchDB constructor in the process ('created', 'destroyed', 'ref', 'unref'). */
    on(event: string, listener: (...args: never[]) => void): unknown;
    removeListener(event: string, listener: (...args: never[]) => void): unknown;
    listeners(event: string): ((...args: never[]) => void)[];
    replicate(source: PouchDB.Database, target: PouchDB.Database, options?: PouchDB.ReplicateOptions): PouchDB.Replication;
    /** The fetch the http adapter uses by default. */
    fetch(url: string, options: Record<string, unknown>): Promise<unknown>;
  }
  const PouchDB: PouchDBConstructor;
  export = PouchDB;
}

/** The Mango query plugin; used only by the benchmark, to compare with the in-memory index. */
declare module 'pouchdb-find' {
  const PouchDBFind: unknown;
  export = PouchDBFind;
}
