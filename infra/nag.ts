/**
 * cdk-nag wiring: the AwsSolutions pack runs on every synth of the app (infra/app.ts), and the helpers
 * here acknowledge findings precisely. cdk-nag 3 plugs into CDK's validation framework
 * (`Validations.of(app).addPlugins(...)`): a finding fails `cdk synth` unless it is acknowledged on the
 * resource or one of its parents, with a reason (infra/acknowledge.ts).
 */
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export { acknowledgeWildcardResources, flattenReference } from './acknowledge';

/** Registers the AwsSolutions rule pack on the app (verbose: each finding explains the rule). */
export function addNagChecks(app: App): AwsSolutionsChecks {
  const pack = new AwsSolutionsChecks(app, { verbose: true });
  Validations.of(app).addPlugins(pack);
  return pack;
}
