/**
 * Precise cdk-nag acknowledgements, made through aws-cdk-lib's own Validations API: the constructs use
 * these, and they must not load cdk-nag itself (a devDependency, absent when picflow is installed into
 * another app). Registering the checks is infra/nag.ts's job.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Why a role's X-Ray statement names no resource (cdk-nag finding text); every traced function's role has one. */
export const XRAY_WILDCARD =
  'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions, ' +
  'so their only valid resource is "*".';

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
