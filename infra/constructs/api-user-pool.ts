/**
 * ApiUserPool: the Cognito user pool `-c apiAuth=cognito` creates for the HTTP API, its app client, and
 * the JWT authorizer that accepts the pool's tokens issued to that client. Cheapest tier (Lite, no threat
 * protection), users created by an administrator unless self sign-up is asked for.
 */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface ApiUserPoolProps {
  /** Anyone may sign up (with a verified e-mail address); otherwise only administrators create users. */
  readonly selfSignUp: boolean;
  readonly removalPolicy: RemovalPolicy;
}

export class ApiUserPool extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  /** A JWT authorizer: issuer the pool, audience the client. */
  readonly authorizer: HttpUserPoolAuthorizer;

  constructor(scope: Construct, id: string, props: ApiUserPoolProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: props.selfSignUp,
      signInAliases: { email: true },
      autoVerify: { email: true },
      // cdk-nag's COG1 minimum is 8 with upper case, digits and symbols; 12 is NIST's and OWASP's advice for passwords alone.
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Authenticator apps only: SMS would need an SNS role and costs per message.
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Lite: no threat protection (advanced security), which the Plus plan bills per monthly active user.
      featurePlan: cognito.FeaturePlan.LITE,
      deletionProtection: false,
      removalPolicy: props.removalPolicy,
    });
    this.client = this.userPool.addClient('AppClient', {
      // A public client (browser, mobile, CLI): SRP, never the password itself; no secret it could not keep.
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
    });
    this.authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', this.userPool, { userPoolClients: [this.client] });

    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional (authenticator apps): the API serves end users of applications, and each application decides ' +
          'whether its users must enrol; requiring it would refuse every user until they set up an authenticator.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan (threat protection) is billed per monthly active user; picflow keeps the pool on Lite ' +
          'and protects the API with strong passwords, optional TOTP MFA and stage throttling instead.',
      },
    );
  }
}
