/**
 * EventBridge pattern matching for the local event router: the operators picflow's rule can use
 * (exact values, prefix, suffix, anything-but, exists) with EventBridge's semantics: every field of
 * the pattern must match, a list matches if any of its values does, and an event array field matches
 * if any of its elements does. An operator it does not know is an error, never a silent "no match".
 */
import type { EventPattern, PatternValue } from '../../statemachines/trigger';

export function matchesPattern(event: unknown, pattern: EventPattern): boolean {
  if (typeof event !== 'object' || event === null) return false;
  return Object.entries(pattern).every(([field, rule]) => {
    const value = (event as Record<string, unknown>)[field];
    if (Array.isArray(rule)) return matchesValues(value, rule);
    return matchesPattern(value, rule);
  });
}

function matchesValues(value: unknown, rules: PatternValue[]): boolean {
  const candidates = Array.isArray(value) ? value : [value];
  return rules.some((rule) => {
    if (rule !== null && typeof rule === 'object') {
      if ('exists' in rule) return rule.exists === (value !== undefined);
      return value !== undefined && candidates.some((candidate) => matchesOperator(candidate, rule));
    }
    return candidates.some((candidate) => candidate === rule);
  });
}

function matchesOperator(value: unknown, rule: Exclude<PatternValue, string | number | boolean | null>): boolean {
  if ('prefix' in rule) return typeof value === 'string' && value.startsWith(rule.prefix);
  if ('suffix' in rule) return typeof value === 'string' && value.endsWith(rule.suffix);
  if ('anything-but' in rule) {
    const excluded = Array.isArray(rule['anything-but']) ? rule['anything-but'] : [rule['anything-but']];
    return !excluded.includes(value);
  }
  throw new Error(`Unsupported event pattern operator: ${JSON.stringify(rule)}`);
}
