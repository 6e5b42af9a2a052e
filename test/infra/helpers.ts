/**
 * Shared setup for the infra tests: a fresh App with cdk.json's feature flags and bundling skipped, a
 * synthesized PicflowStack with its template and cloud assembly, and small readers for IAM policies.
 * Nothing here is shared between tests: each call builds a new App.
 */
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/constructs/task-functions';
import { flattenReference } from '../../infra/nag';
import { PicflowStack, type PicflowStackProps } from '../../infra/picflow-stack';

/** cdk.json's context: the tests run with the same feature flags as `cdk synth`. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context;

/** A new App with cdk.json's flags, bundling skipped (no esbuild, no npm install) and its own outdir. */
export function newApp(extraContext: Record<string, unknown> = {}): App {
  return new App({
    outdir: mkdtempSync(join(tmpdir(), 'picflow-cdk-out-')),
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...extraContext },
  });
}

export interface SynthesizedStack {
  app: App;
  stack: PicflowStack;
  template: Template;
  assembly: CloudAssembly;
}

/** Builds and synthesizes one PicflowStack in a new App. */
export function synthPicflow(props: Partial<PicflowStackProps> = {}, app: App = newApp()): SynthesizedStack {
  const stack = new PicflowStack(app, 'PicflowTest', props);
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
  return { app, stack, template, assembly };
}

/** The logical ID CloudFormation sees for a construct's default child (or the element itself). */
export function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } } | CfnElement): string {
  const element = ((construct as { node: { defaultChild?: unknown } }).node.defaultChild ?? construct) as CfnElement;
  return stack.resolve(element.logicalId) as string;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every identity-policy statement that applies to a role: its inline Policies and each AWS::IAM::Policy attached to it. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const role = resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role`);
  const inline = ((role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  const attached = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => (r.Properties.Roles as { Ref?: string }[]).some((ref) => ref.Ref === roleLogicalId))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  return [...inline, ...attached];
}

/** Statements flattened to `action resource` strings (resources rendered like cdk-nag: `<Bucket.Arn>/uploads/*`). */
export function grants(statements: Statement[]): string[] {
  return statements
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => asArray(s.Action).flatMap((action) => asArray(s.Resource).map((resource) => `${action} ${flattenReference(resource)}`)))
    .sort();
}

export function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** The logical IDs of every resource of a type. */
export function logicalIdsOfType(template: Template, type: string): string[] {
  return Object.keys(template.findResources(type));
}

/**
 * Evaluates the few intrinsics a resource name may be built with (Ref to a pseudo parameter,
 * Fn::Join, Fn::Split, Fn::Select) the way CloudFormation would for the given pseudo parameters.
 */
export function evaluateIntrinsic(value: unknown, pseudo: Record<string, string>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => evaluateIntrinsic(v, pseudo));
  const [fn, args] = Object.entries(value)[0] as [string, unknown];
  if (fn === 'Ref') {
    if (!(String(args) in pseudo)) throw new Error(`no value for Ref ${String(args)}`);
    return pseudo[String(args)];
  }
  const a = evaluateIntrinsic(args, pseudo) as unknown[];
  if (fn === 'Fn::Join') return (a[1] as unknown[]).join(a[0] as string);
  if (fn === 'Fn::Split') return (a[1] as string).split(a[0] as string);
  if (fn === 'Fn::Select') return (a[1] as unknown[])[Number(a[0])];
  throw new Error(`evaluateIntrinsic: unsupported ${fn}`);
}
