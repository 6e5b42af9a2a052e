/**
 * cdk-nag wiring: the AwsSolutions pack runs on every synth of the app (infra/app.ts), and the helpers
 * here acknowledge findings precisely. cdk-nag 3 plugs into CDK's validation framework
 * (`Validations.of(app).addPlugins(...)`): a finding fails `cdk synth` unless it is acknowledged on the
 * resource or one of its parents, with a reason.
 */
import { Stack, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Registers the AwsSolutions rule pack on the app (verbose: each finding explains the rule). */
export function addNagChecks(app: App): AwsSolutionsChecks {
  const pack = new AwsSolutionsChecks(app, { verbose: true });
  Validations.of(app).addPlugins(pack);
  return pack;
}

/**
 * Acknowledges AwsSolutions-IAM5 for these wildcard resources only, not for IAM5 as a whole: cdk-nag 3
 * reports one finding per wildcard (`AwsSolutions-IAM5[Resource::<Bucket.Arn>/uploads/*]`), so a new
 * wildcard added later (say on the whole bucket) is still reported. `resources` are the values given
 * to the policy statements (tokens allowed); they are rendered the way cdk-nag renders them.
 */
export function acknowledgeWildcardResources(scope: IConstruct, resources: readonly string[], reason: string): void {
  const stack = Stack.of(scope);
  for (const resource of resources) {
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenReference(stack.resolve(resource))}]`,
      reason,
    });
  }
}

/**
 * Renders a resolved CloudFormation value as cdk-nag does in its finding ids (cdk-nag's
 * utils/flatten-cfn-reference, which the package does not export): `{"Fn::GetAtt":["Bucket","Arn"]}`
 * becomes `<Bucket.Arn>`, `{"Ref":"X"}` becomes `<X>`, Fn::Join joins. test/infra/nag.test.ts proves
 * the two agree: any drift shows up as an unacknowledged finding.
 */
export function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  const value = node as Record<string, unknown>;
  if (value['Fn::Join']) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (value['Fn::Sub']) return flattenReference(value['Fn::Sub']);
  if (value['Fn::GetAtt']) {
    const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (value['Fn::ImportValue']) return flattenReference(value['Fn::ImportValue']);
  if (value.Ref) return `<${flattenReference(value.Ref)}>`;
  return JSON.stringify(node);
}
