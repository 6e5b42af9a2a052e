/**
 * The People page (#/people): every person of the face collection with their photos, named in place
 * (PATCH /api/v1/people/{userId}); with `?face=FACE&image=ID` (from a face box on a result page) it first
 * shows every stored photo with a matching face (POST /api/v1/faces/search), and makes a person of that face.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { objectUrl } from '../api';
import { href } from '../router';

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}
interface PersonFace {
  imageId: string;
  key: string;
  faceId: string;
  box: Box;
}
interface Person {
  userId: string;
  name?: string;
  images?: PersonFace[];
}
interface FaceMatch extends PersonFace {
  similarity: number;
}

/** A call to the HTTP API the console mounts at /api/v1; its error sentence on failure. */
async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`/api/v1${path}`, init).catch(() => {
    throw new Error('The console server is not answering: is picflow dev still running?');
  });
  const body = (await response.json().catch(() => undefined)) as (T & { message?: string }) | undefined;
  if (!response.ok) throw new Error(body?.message ?? `${response.status} ${response.statusText}`);
  return body as T;
}
const jsonInit = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

export function PeoplePage({ faceId, imageId }: { faceId?: string; imageId?: string }) {
  const [people, setPeople] = useState<Person[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const load = useCallback(async () => {
    try {
      const { people: list } = await call<{ people: Person[] }>('/people');
      const withImages = await Promise.all(list.map((p) => call<Person>(`/people/${encodeURIComponent(p.userId)}/images`)));
      setPeople(withImages);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section class="page">
      <div class="page-head">
        <h1>People</h1>
        <span class="muted">faces grouped by person; a name tags their later uploads</span>
      </div>
      {faceId && imageId && <FaceSearch key={faceId} faceId={faceId} imageId={imageId} onPerson={load} />}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {people === undefined && !error && <p class="muted">Loading…</p>}
      {people?.length === 0 && <p class="empty">Nobody yet: open a photo, pick a face and "Find this face", then make a person of it.</p>}
      {people?.map((p) => (
        <PersonCard key={p.userId} person={p} />
      ))}
    </section>
  );
}

/** One person: their name (editable in place) and their photos. */
function PersonCard({ person }: { person: Person }) {
  const [name, setName] = useState(person.name ?? '');
  const [saved, setSaved] = useState(person.name ?? '');
  const [message, setMessage] = useState<string | undefined>(undefined);
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      const named = await call<Person>(`/people/${encodeURIComponent(person.userId)}`, jsonInit('PATCH', { name }));
      setSaved(named.name ?? '');
      setMessage('Saved');
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  return (
    <div class="card" data-testid="person">
      <form class="person-name" onSubmit={save}>
        <label>
          <span class="muted">Name </span>
          <input value={name} maxLength={64} placeholder="Unnamed" onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <button class="button" type="submit" disabled={!name.trim() || name.trim() === saved}>
          Save
        </button>
        {message && <span class="muted small"> {message}</span>}
      </form>
      <Photos faces={person.images ?? []} />
    </div>
  );
}

function Photos({ faces }: { faces: (PersonFace & { similarity?: number })[] }) {
  return (
    <ul class="people-photos">
      {faces.map((f) => (
        <li key={f.faceId}>
          <a href={href({ page: 'image', imageId: f.imageId })} title={f.key}>
            <img src={objectUrl(f.key)} alt={f.key} loading="lazy" width={96} />
          </a>
          {f.similarity !== undefined && <span class="muted small"> {f.similarity.toFixed(1)} %</span>}
        </li>
      ))}
    </ul>
  );
}

/** "Find this face": the photos with a matching face, and a button to make a person of it. */
function FaceSearch({ faceId, imageId, onPerson }: { faceId: string; imageId: string; onPerson: () => void }) {
  const [matches, setMatches] = useState<FaceMatch[] | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  useEffect(() => {
    call<{ matches: FaceMatch[] }>('/faces/search', jsonInit('POST', { imageId, faceId, limit: 100 })).then(
      (page) => setMatches(page.matches),
      (e: Error) => setMessage(e.message),
    );
  }, [faceId, imageId]);
  const makePerson = async () => {
    try {
      await call('/people', jsonInit('POST', { faceIds: [faceId] }));
      setMessage('Person created: name them below.');
      onPerson();
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  return (
    <div class="card" data-testid="face-search">
      <h2>This face in other photos</h2>
      {matches === undefined && !message && <p class="muted">Searching…</p>}
      {matches?.length === 0 && <p class="empty small">No other stored photo shows this face.</p>}
      {matches && matches.length > 0 && <Photos faces={matches} />}
      <button class="button" type="button" onClick={makePerson}>
        Make a person of this face
      </button>
      {message && <p class="muted small">{message}</p>}
    </div>
  );
}
