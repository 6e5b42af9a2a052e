/**
 * Face collections of the local Rekognition endpoint, held in memory (search is brute-force cosine over every
 * stored descriptor: fine up to ~100k faces per collection) and written through to a LevelDB (classic-level)
 * under the data directory: every change is one synchronous batch, so a crash keeps all of it or none of it.
 *   c:<CollectionId>            → { createdAt }
 *   f:<CollectionId>:<FaceId>   → face record, descriptor as base64 float32
 *   u:<CollectionId>:<UserId>   → { createdAt }
 * (':' cannot occur in a CollectionId; FaceIds are UUIDs.) Without a directory the store is memory only.
 */
import { mkdirSync } from 'node:fs';
import { ClassicLevel } from 'classic-level';

export interface StoredFace {
  FaceId: string;
  ImageId: string;
  ExternalImageId?: string;
  BoundingBox: { Width: number; Height: number; Left: number; Top: number };
  Confidence: number;
  UserId?: string;
  embedding: Float32Array;
}

export interface StoredCollection {
  id: string;
  createdAt: number;
  faces: Map<string, StoredFace>;
  users: Map<string, { createdAt: number }>;
}

interface FaceValue extends Omit<StoredFace, 'embedding'> {
  embedding: string;
}

type Op = { type: 'put'; key: string; value: unknown } | { type: 'del'; key: string };

const encode = (v: Float32Array): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
function decode(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export class CollectionStore {
  readonly collections = new Map<string, StoredCollection>();

  private constructor(private readonly db?: ClassicLevel<string, unknown>) {}

  static async open(directory?: string): Promise<CollectionStore> {
    if (!directory) return new CollectionStore();
    mkdirSync(directory, { recursive: true });
    const db = new ClassicLevel<string, unknown>(directory, { keyEncoding: 'utf8', valueEncoding: 'json' });
    await db.open();
    const store = new CollectionStore(db);
    // Collections sort before faces and users ('c' < 'f' < 'u'), so each face finds its collection loaded.
    for await (const [key, value] of db.iterator()) store.load(key, value);
    return store;
  }

  private load(key: string, value: unknown): void {
    const [kind, cid, id] = key.split(':');
    if (kind === 'c' && cid) {
      const v = value as { createdAt: number };
      this.collections.set(cid, { id: cid, createdAt: v.createdAt, faces: new Map(), users: new Map() });
      return;
    }
    const c = cid ? this.collections.get(cid) : undefined;
    if (!c || !id) return;
    if (kind === 'f') {
      const v = value as FaceValue;
      c.faces.set(id, { ...v, embedding: decode(v.embedding) });
    } else if (kind === 'u') c.users.set(id, value as { createdAt: number });
  }

  private async write(ops: Op[]): Promise<void> {
    if (this.db && ops.length > 0) await this.db.batch(ops, { sync: true });
  }

  private static faceOp(cid: string, f: StoredFace): Op {
    return { type: 'put', key: `f:${cid}:${f.FaceId}`, value: { ...f, embedding: encode(f.embedding) } };
  }

  async createCollection(id: string, createdAt: number): Promise<StoredCollection> {
    const c: StoredCollection = { id, createdAt, faces: new Map(), users: new Map() };
    await this.write([{ type: 'put', key: `c:${id}`, value: { createdAt } }]);
    this.collections.set(id, c);
    return c;
  }

  async deleteCollection(c: StoredCollection): Promise<void> {
    const ops: Op[] = [{ type: 'del', key: `c:${c.id}` }];
    for (const f of c.faces.keys()) ops.push({ type: 'del', key: `f:${c.id}:${f}` });
    for (const u of c.users.keys()) ops.push({ type: 'del', key: `u:${c.id}:${u}` });
    await this.write(ops);
    this.collections.delete(c.id);
  }

  /** Adds faces or rewrites them (a changed UserId). */
  async putFaces(c: StoredCollection, faces: StoredFace[]): Promise<void> {
    await this.write(faces.map((f) => CollectionStore.faceOp(c.id, f)));
    for (const f of faces) c.faces.set(f.FaceId, f);
  }

  async deleteFaces(c: StoredCollection, faceIds: string[]): Promise<void> {
    await this.write(faceIds.map((id) => ({ type: 'del', key: `f:${c.id}:${id}` }) as Op));
    for (const id of faceIds) c.faces.delete(id);
  }

  async putUser(c: StoredCollection, userId: string, createdAt: number): Promise<void> {
    await this.write([{ type: 'put', key: `u:${c.id}:${userId}`, value: { createdAt } }]);
    c.users.set(userId, { createdAt });
  }

  /** Deletes a user and unlinks its faces (Rekognition keeps the faces), in one batch. */
  async deleteUser(c: StoredCollection, userId: string): Promise<void> {
    const unlinked = [...c.faces.values()].filter((f) => f.UserId === userId).map((f) => ({ ...f, UserId: undefined }));
    await this.write([{ type: 'del', key: `u:${c.id}:${userId}` }, ...unlinked.map((f) => CollectionStore.faceOp(c.id, f))]);
    c.users.delete(userId);
    for (const f of unlinked) c.faces.set(f.FaceId, f);
  }

  async close(): Promise<void> {
    await this.db?.close();
  }
}
