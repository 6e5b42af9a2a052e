/**
 * The People page (#/people): every person of the face collection, drawn from one GET /api/v1/people (each with
 * one face cut out of a photo and how many faces are theirs), named in place (PATCH /api/v1/people/{userId}),
 * their photos on request (GET .../images); with `?face=FACE&image=ID` (from a face box on a result page) it first
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
}
/** One entry of GET /people. */
interface PersonSummary extends Person {
  faceCount: number;
  face?: PersonFace;
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
  const [people, setPeople] = useState<PersonSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const load = useCallback(async () => {
    try {
      // One request for the whole page: each person comes with a face to show and their face count.
      const all: PersonSummary[] = [];
      let nextToken: string | undefined;
      do {
        const page: { people: PersonSummary[]; nextToken?: string } = await call(
          `/people${nextToken ? `?${new URLSearchParams({ nextToken })}` : ''}`,
        );
        all.push(...page.people);
        nextToken = page.nextToken;
      } while (nextToken);
      setPeople(all);
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

/** One person: a face of theirs, their name (editable in place), how many faces are theirs, and their photos on request. */
function PersonCard({ person }: { person: PersonSummary }) {
  const [name, setName] = useState(person.name ?? '');
  const [saved, setSaved] = useState(person.name ?? '');
  const [message, setMessage] = useState<string | undefined>(undefined);
  const [photos, setPhotos] = useState<PersonFace[] | 'hidden' | 'loading'>('hidden');
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
  const togglePhotos = async () => {
    if (photos !== 'hidden') return setPhotos('hidden');
    setPhotos('loading');
    try {
      setPhotos((await call<{ images: PersonFace[] }>(`/people/${encodeURIComponent(person.userId)}/images`)).images);
    } catch (e) {
      setPhotos('hidden');
      setMessage((e as Error).message);
    }
  };
  const faces = `${person.faceCount} ${person.faceCount === 1 ? 'face' : 'faces'}`;
  return (
    <div class="card" data-testid="person" data-face-count={person.faceCount}>
      <div class="person-head">
        {person.face && <FaceCrop face={person.face} alt={`${saved || 'Unnamed'}, in ${person.face.key}`} />}
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
        <button
          class="button ghost"
          type="button"
          aria-expanded={photos !== 'hidden'}
          onClick={togglePhotos}
          disabled={person.faceCount === 0}
        >
          {photos === 'hidden' ? `Show photos (${faces})` : 'Hide photos'}
        </button>
      </div>
      {photos === 'loading' && <p class="muted small">Loading…</p>}
      {Array.isArray(photos) && <Photos faces={photos} />}
    </div>
  );
}

/**
 * A face cut out of its photo: a square around the box (Rekognition's box is a fraction of each side, so the
 * square needs the photo's pixel size, known once it has loaded; until then the box's fractions stand in).
 */
function FaceCrop({ face, alt }: { face: PersonFace; alt: string }) {
  const [size, setSize] = useState({ width: 1, height: 1 });
  const { box } = face;
  // The face and a margin around it, the margin cut back (not the face) where the photo is barely larger than the face.
  const faceSide = Math.max(box.width * size.width, box.height * size.height);
  const side = Math.max(faceSide, Math.min(faceSide * 1.4, size.width, size.height));
  const centre = { x: (box.left + box.width / 2) * size.width, y: (box.top + box.height / 2) * size.height };
  const style = {
    width: `${(size.width / side) * 100}%`,
    height: `${(size.height / side) * 100}%`,
    left: `${(-(centre.x - side / 2) / side) * 100}%`,
    top: `${(-(centre.y - side / 2) / side) * 100}%`,
  };
  return (
    <a class="person-face" href={href({ page: 'image', imageId: face.imageId })}>
      <img
        src={objectUrl(face.key)}
        alt={alt}
        style={style}
        onLoad={(e) => {
          const img = e.currentTarget as HTMLImageElement;
          if (img.naturalWidth && img.naturalHeight) setSize({ width: img.naturalWidth, height: img.naturalHeight });
        }}
      />
    </a>
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
