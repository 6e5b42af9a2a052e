/**
 * The region check: a stack in a region without Rekognition's image APIs fails at synth with what to
 * do, instead of deploying functions whose every analysis fails with a DNS error.
 */
import { REKOGNITION_REGIONS } from '../../infra/rekognition-regions';
import { synthPicflow } from './helpers';

describe('region check', () => {
  it('refuses a region without Rekognition, saying what to do', () => {
    // Act
    const synth = () => synthPicflow({ env: { account: '123456789012', region: 'eu-north-1' } });

    // Assess
    expect(synth).toThrow(
      /Rekognition's image APIs are not offered in eu-north-1.*Deploy to a region that has them \(.*eu-west-1.*\).*-c analyses=/,
    );
  });

  it.each([['us-east-1'], ['eu-west-1'], ['ap-southeast-2']])('accepts %s', (region) => {
    // Act
    const { stack } = synthPicflow({ env: { account: '123456789012', region } });

    // Assess
    expect(stack.region).toBe(region);
    expect(REKOGNITION_REGIONS).toContain(region);
  });

  it('accepts an environment-agnostic stack: its region is only known at deployment', () => {
    // Act
    const { stack, template } = synthPicflow();

    // Assess
    expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
    // The image pipeline and the backfill.
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
  });

  it('accepts any region for a thumbnails-only pipeline, which never calls Rekognition', () => {
    // Act
    const { stack } = synthPicflow({ env: { account: '123456789012', region: 'eu-north-1' }, taskSettings: { analyses: [] } });

    // Assess
    expect(stack.region).toBe('eu-north-1');
  });
});
