/**
 * Loads THE state machine definition (image-pipeline.asl.json) and fills in its `${...}`
 * placeholders, the way Step Functions' `definitionSubstitutions` does when CDK deploys it.
 * The local runtime and the tests use this; CDK reads the same file with DefinitionBody.fromFile.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFINITION_PATH = join(__dirname, 'image-pipeline.asl.json');

/** Minimal view of an ASL document: enough to walk states without a full ASL type library. */
export interface AslState {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Retry?: {
    ErrorEquals: string[];
    IntervalSeconds?: number;
    MaxAttempts?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
    JitterStrategy?: string;
  }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[];
  Branches?: AslDefinition[];
  [field: string]: unknown;
}

export interface AslDefinition {
  Comment?: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, AslState>;
}

/** The definition file's text, placeholders untouched. */
export function readDefinitionText(): string {
  return readFileSync(DEFINITION_PATH, 'utf8');
}

/** The placeholders (`${Name}`) the definition uses, sorted. */
export function definitionPlaceholders(text = readDefinitionText()): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]))].sort();
}

/**
 * The definition with every placeholder replaced. Fails loudly on a missing value: a definition
 * with a literal `${...}` left in it would only fail later, at run time, in a confusing way.
 */
export function loadDefinition(substitutions: Record<string, string>, text = readDefinitionText()): AslDefinition {
  const missing = definitionPlaceholders(text).filter((name) => substitutions[name] === undefined);
  if (missing.length > 0) throw new Error(`No value for definition placeholder(s): ${missing.join(', ')}`);
  const filled = text.replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name: string) => escapeJsonString(substitutions[name]));
  return JSON.parse(filled) as AslDefinition;
}

/** Every state of the definition, including those inside Parallel branches, with its name. */
export function allStates(definition: AslDefinition): [string, AslState][] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, AslState],
    ...(state.Branches ?? []).flatMap((branch) => allStates(branch)),
  ]);
}

function escapeJsonString(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
