/**
 * The console's HTTP API, as both sides see it: the server (local/console/server.ts) sends these,
 * the web app (local/console/web) reads them. No Node or DOM types here: both tsconfigs include it.
 */

import type { ExecutionStatus } from '../../engine/execution-status';

export { EXECUTION_STATUSES, type ExecutionStatus } from '../../engine/execution-status';

/**
 * What the console shows as an execution's status: the engine's, and QUEUED for a RUNNING execution
 * still waiting for a free slot of the local runner (Step Functions has no such wait, so no such status).
 */
export type ConsoleStatus = ExecutionStatus | 'QUEUED';

/** One row of the executions list. */
export interface ExecutionSummary {
  name: string;
  executionArn: string;
  status: ConsoleStatus;
  /** QUEUED: its place in line (1: next to start), as of when this summary was sent. */
  queuePosition?: number;
  /** `bucket/key` of the image. */
  imageId?: string;
  startedAt: string;
  stoppedAt?: string;
  /** When the last run began (its ExecutionStarted): durations count from here, not from routing (startedAt). */
  runStartedAt?: string;
  /** How long the last run took: stoppedAt - runStartedAt; absent while running. */
  durationMs?: number;
  retries: number;
  error?: string;
  cause?: string;
  /** When a restart ran this execution again from its start (startedAt stays the first start). */
  resumedAt?: string;
}

export interface ExecutionsResponse {
  /** One page, newest first (`limit`, default 100, at most 1,000). */
  executions: ExecutionSummary[];
  /** Present when older executions match: send it back as `cursor` for the next page. */
  nextCursor?: string;
}

/** One entry of an execution's event history (the engine's event log entry, as JSON). */
export interface HistoryEvent {
  type: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string; type: string };
  Error?: string;
  Cause?: unknown;
  retry?: { attempt: number; retrier?: { ErrorEquals?: string[] } };
  input?: unknown;
  output?: unknown;
}

export interface ExecutionDetail extends ExecutionSummary {
  input: unknown;
  output?: unknown;
  events: HistoryEvent[];
}

/** Minimal ASL, enough to draw the graph and to know each state's Retry. */
export interface AslRetrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
}

export interface AslStateLite {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string; [field: string]: unknown }[];
  Retry?: AslRetrier[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Branches?: AslDefinitionLite[];
  Comment?: string;
  [field: string]: unknown;
}

export interface AslDefinitionLite {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslStateLite>;
}

export interface GraphNode {
  id: string;
  kind: 'state' | 'parallel' | 'branch';
  /** The state's name (for 'branch': the Parallel state's name). */
  name: string;
  /** ASL type of a state. */
  type?: string;
  /** Enclosing node id (a branch for states in a Parallel, the Parallel for a branch). */
  parent?: string;
  branchIndex?: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch';

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  label?: string;
  /** For a Catch edge: the errors it catches. */
  errors?: string[];
  /** Absolute coordinates, start to end. */
  points: { x: number; y: number }[];
  labelBox?: { x: number; y: number; width: number; height: number };
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphResponse {
  definition: AslDefinitionLite;
  layout: GraphLayout;
}

export interface InfoResponse {
  bucket: string;
  uploadPrefix: string;
  tableName: string;
  queueUrl: string;
  dataDir: string;
}

export interface DeadLetterSummary {
  messageId: string;
  /** Why it failed, as the message says. */
  reason: string;
  status?: string;
  imageId?: string;
  key?: string;
  executionId?: string;
  /** The execution's name (last part of its ARN), to link to its graph. */
  executionName?: string;
  failedAt?: string;
  failures: { state: string; error: string; cause: string }[];
  /** false when the message carries no event to run again. */
  replayable: boolean;
  /** A permanent failure (dead-letters/permanence.ts): `replay` skips it unless asked. */
  permanent: boolean;
  /** A short name for the failure, e.g. `CORRUPT`. */
  failureKind: string;
  /** Why it is permanent, or why a replay may help. */
  permanence: string;
}

export interface DeadLettersResponse {
  messages: DeadLetterSummary[];
}

export interface ReplayRequest {
  /** Only these messages; all when absent. */
  messageIds?: string[];
  /** Run permanent failures too (named messageIds always run). */
  includePermanent?: boolean;
}

export interface DiscardRequest {
  messageIds?: string[];
  /** Every message whose failure is permanent. */
  allPermanent?: boolean;
}

export interface DiscardResponse {
  discarded: DeadLetterSummary[];
  notFound: string[];
}

export interface ReplayOutcomeSummary {
  messageId: string;
  status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'DRY_RUN';
  detail: string;
  executionName?: string;
  /** What became of the message: deleted (succeeded, or obsolete) or kept, and why. */
  message?: { deleted: boolean; why: string };
  /** Set when it was not run because its failure is permanent: the failure's kind. */
  permanentKind?: string;
}

export interface ReplayResponse {
  outcomes: ReplayOutcomeSummary[];
}

/** Messages of the server-sent event stream (`GET /api/events`), JSON in each `data:` line. */
export type StreamMessage =
  /** An execution started, changed its retry count, or finished. */
  | { kind: 'execution'; execution: ExecutionSummary }
  /** One event of the execution the stream was opened for (`?execution=NAME`); `index` in its history. */
  | { kind: 'event'; name: string; index: number; event: HistoryEvent };

export interface ApiError {
  error: string;
}
