/**
 * PicflowAlarms: tells a human when an image did not make it. Two alarms cover every failure path:
 * an execution that ended without succeeding (failed, timed out or aborted: the last two never reach
 * the dead-letter queue) and a message in the dead-letter queue (which also catches events EventBridge
 * could not deliver, which never become executions). Optionally both notify an email through SNS.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface PicflowAlarmsProps {
  readonly stateMachine: sfn.IStateMachine;
  readonly deadLetterQueue: sqs.IQueue;

  /**
   * Where alarm notifications go. When set, an SNS topic with an email subscription is created (the
   * address receives a confirmation email first).
   * @default - no notifications: the alarms are visible in the CloudWatch console only
   */
  readonly alarmEmail?: string;

  /**
   * Period over which each metric is evaluated.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

export class PicflowAlarms extends Construct {
  /** ExecutionsFailed + ExecutionsTimedOut + ExecutionsAborted >= 1. */
  readonly executionsFailed: cloudwatch.Alarm;
  /** ApproximateNumberOfMessagesVisible >= 1 on the dead-letter queue. */
  readonly deadLetterMessages: cloudwatch.Alarm;
  /** Only when alarmEmail is set. */
  readonly topic?: sns.Topic;

  constructor(scope: Construct, id: string, props: PicflowAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);

    this.executionsFailed = new cloudwatch.Alarm(this, 'ExecutionsFailed', {
      alarmDescription:
        'picflow: at least one image pipeline execution failed, timed out or was aborted. A failed image is FAILED in the table with ' +
        'its message in the dead-letter queue; a timed-out or aborted execution has neither: redrive it.',
      metric: new cloudwatch.MathExpression({
        label: 'Executions not succeeded',
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: props.stateMachine.metricFailed({ period, statistic: cloudwatch.Stats.SUM }),
          timedOut: props.stateMachine.metricTimedOut({ period, statistic: cloudwatch.Stats.SUM }),
          aborted: props.stateMachine.metricAborted({ period, statistic: cloudwatch.Stats.SUM }),
        },
        period,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No executions means nothing failed, not "unknown".
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.deadLetterMessages = new cloudwatch.Alarm(this, 'DeadLetterMessages', {
      alarmDescription: 'picflow: the dead-letter queue holds images that did not make it; inspect and replay them.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    if (props.alarmEmail) {
      this.topic = new sns.Topic(this, 'Topic', { displayName: 'picflow alarms', enforceSSL: true });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      Validations.of(this.topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'The topic carries CloudWatch alarm notifications only (alarm name, state, metric), no image data. SSE with the AWS managed ' +
          'aws/sns key would stop CloudWatch from publishing (its key policy cannot grant cloudwatch.amazonaws.com), and a customer ' +
          'managed key would cost more than the data is worth protecting.',
      });
      const action = new actions.SnsAction(this.topic);
      for (const alarm of [this.executionsFailed, this.deadLetterMessages]) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }
}
