/**
 * Faces with @vladmandic/human (wasm build): BlazeFace detector, FaceMesh (478 points with iris),
 * emotion and age/gender ("faceres") models, all read from the package's models/ folder.
 */
import { humanModelsDir, humanWasmBuild, tfjsWasmDir } from './model-paths';
import { initTfjsWasm, tf } from './tfjs-runtime';

/** What the face operation needs from one detected face (coordinates as ratios of the image). */
export interface FaceObservation {
  /** [left, top, width, height], ratios of the image size. */
  box: [number, number, number, number];
  /** BlazeFace detector score 0..1. */
  boxScore: number;
  /** FaceMesh score 0..1. */
  faceScore: number;
  age?: number;
  gender?: 'male' | 'female';
  genderScore?: number;
  /** Human's 7 emotion classes with scores 0..1. */
  emotions: { emotion: string; score: number }[];
  /** Head pose in radians. */
  angle?: { roll: number; yaw: number; pitch: number };
  /** Gaze from the iris model: bearing (radians) and strength 0..1. */
  gaze?: { bearing: number; strength: number };
  /** FaceMesh points as [x, y] ratios of the image size (478 with iris refinement, else 468). */
  mesh: [number, number][];
  /** The "description" (faceres) model's face descriptor: 1024 floats, compared by cosine similarity. */
  embedding?: number[];
}

interface HumanFace {
  boxRaw: [number, number, number, number];
  boxScore: number;
  faceScore: number;
  age?: number;
  gender?: string;
  genderScore?: number;
  emotion?: { score: number; emotion: string }[];
  rotation?: { angle: { roll: number; yaw: number; pitch: number }; gaze: { bearing: number; strength: number } } | null;
  mesh: number[][];
  embedding?: number[];
}

interface HumanInstance {
  load(): Promise<void>;
  detect(input: unknown): Promise<{ face: HumanFace[]; error?: string | null }>;
}

/** Minimum BlazeFace score kept: 0.5 removes the 0.34 false face measured on rocket.jpg; real faces score 0.6-0.95. */
export const DEFAULT_MIN_FACE_DETECTOR_SCORE = 0.5;

export class FaceModel {
  private human?: HumanInstance;
  private loading?: Promise<void>;

  constructor(private readonly minDetectorScore = DEFAULT_MIN_FACE_DETECTOR_SCORE) {}

  load(): Promise<void> {
    this.loading ??= (async () => {
      await initTfjsWasm();
      // The package's exports map sends "node" to the tfjs-node build; load the wasm build by path.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Human } = require(humanWasmBuild()) as { Human: new (config: object) => HumanInstance };
      const human = new Human({
        backend: 'wasm',
        wasmPath: tfjsWasmDir(),
        modelBasePath: `file://${humanModelsDir()}/`,
        debug: false,
        warmup: 'none',
        // Still images: no frame-to-frame caching or skipping.
        cacheSensitivity: 0,
        skipAllowed: false,
        filter: { enabled: false },
        gesture: { enabled: false },
        face: {
          enabled: true,
          detector: { rotation: false, maxDetected: 100, minConfidence: this.minDetectorScore, return: false },
          mesh: { enabled: true },
          iris: { enabled: true },
          emotion: { enabled: true, minConfidence: 0 },
          description: { enabled: true },
          antispoof: { enabled: false },
          liveness: { enabled: false },
        },
        body: { enabled: false },
        hand: { enabled: false },
        object: { enabled: false },
        segmentation: { enabled: false },
      });
      await human.load();
      this.human = human;
    })();
    return this.loading;
  }

  async detect(rgb: Uint8Array, width: number, height: number): Promise<FaceObservation[]> {
    await this.load();
    const input = tf.tensor4d(Float32Array.from(rgb), [1, height, width, 3], 'float32');
    let result: Awaited<ReturnType<HumanInstance['detect']>>;
    try {
      result = await this.human!.detect(input);
    } finally {
      input.dispose();
    }
    if (result.error) throw new Error(`human: ${result.error}`);
    return result.face
      .filter((f) => f.boxScore >= this.minDetectorScore)
      .map((f) => ({
        box: f.boxRaw,
        boxScore: f.boxScore,
        faceScore: f.faceScore,
        age: f.age,
        gender: f.gender === 'male' || f.gender === 'female' ? f.gender : undefined,
        genderScore: f.genderScore,
        emotions: (f.emotion ?? []).map((e) => ({ emotion: e.emotion, score: e.score })),
        angle: f.rotation?.angle,
        gaze: f.rotation?.gaze,
        mesh: f.mesh.map((p) => [p[0] / width, p[1] / height] as [number, number]),
        embedding: f.embedding && f.embedding.length > 0 ? Array.from(f.embedding) : undefined,
      }));
  }
}
