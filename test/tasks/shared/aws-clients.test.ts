// The tasks' clients are built from the validated configuration (the settings table), not from raw
// environment variables: S3 addressing and Rekognition's SDK attempts are what loadConfig read.
import { createTaskClients, lambdaDeps, resetClients } from '../../../tasks/shared/aws-clients';
import { ConfigError, loadConfig } from '../../../tasks/shared/config';
import { useEnv } from './image-task-helpers';

describe('Function: createTaskClients', () => {
  it('uses S3_FORCE_PATH_STYLE and REKOGNITION_MAX_ATTEMPTS as loadConfig parsed them', async () => {
    // Prepare
    const config = loadConfig({ TABLE_NAME: 't', S3_FORCE_PATH_STYLE: 'true', REKOGNITION_MAX_ATTEMPTS: '3' });

    // Act
    const clients = createTaskClients(config, { endpoints: { s3: 'http://127.0.0.1:1' } });

    // Assess
    expect(clients.s3.config.forcePathStyle).toBe(true);
    expect(await clients.rekognition.config.maxAttempts()).toBe(3);
    expect(await clients.s3.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 1 });
    clients.destroy();
  });
});

describe('Function: lambdaDeps', () => {
  useEnv({ REKOGNITION_MAX_ATTEMPTS: 'many' });
  afterEach(() => resetClients());

  it('refuses an invalid setting instead of handing the SDK NaN attempts', () => {
    // Act / Assess
    expect(() => lambdaDeps()).toThrow(ConfigError);
    expect(() => lambdaDeps()).toThrow('REKOGNITION_MAX_ATTEMPTS: "many" is not a whole number between 1 and 10');
  });
});
