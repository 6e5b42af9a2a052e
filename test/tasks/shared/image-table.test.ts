import {
  buildUpdate,
  imageTableDefinition,
  isConditionalCheckFailed,
  RESULT_ATTRIBUTES,
  statusIndexValue,
} from '../../../tasks/shared/image-table';

describe('Module: image-table', () => {
  it('defines the table with partition key imageId and the sparse byStatus index on (listedStatus, updatedAt), projecting what a failures list shows', () => {
    // Act
    const definition = imageTableDefinition('images');

    // Assess
    expect(definition.KeySchema).toEqual([{ AttributeName: 'imageId', KeyType: 'HASH' }]);
    expect(definition.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'byStatus',
        KeySchema: [
          { AttributeName: 'listedStatus', KeyType: 'HASH' },
          { AttributeName: 'updatedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['statusReason', 'executionId'] },
      },
      // The HTTP API's query indexes (tasks/shared/image-indexes.ts)
      ...['byStatusTime', 'byVerdictTime', 'byLabelTime'].map((IndexName) => expect.objectContaining({ IndexName })),
    ]);
  });

  it.each([
    ['FAILED', 'FAILED'],
    ['PARTIAL', 'PARTIAL'],
    ['SUCCEEDED', undefined],
    ['PROCESSING', undefined],
  ] as const)('gives a %s item the index key %s', (status, expected) => {
    // Act / Assess
    expect(statusIndexValue(status)).toBe(expected);
  });

  it('builds SET, if_not_exists and REMOVE clauses through placeholders', () => {
    // Act
    const update = buildUpdate({
      set: { status: 'PROCESSING', key: 'uploads/a.jpg', versionId: undefined },
      setIfNotExists: { createdAt: '2024-01-01T00:00:00.000Z' },
      remove: ['faces', 'status'],
    });

    // Assess
    expect(update).toEqual({
      UpdateExpression: 'SET #status = :status, #key = :key, #createdAt = if_not_exists(#createdAt, :createdAt) REMOVE #versionId, #faces',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#key': 'key',
        '#createdAt': 'createdAt',
        '#versionId': 'versionId',
        '#faces': 'faces',
      },
      ExpressionAttributeValues: { ':status': 'PROCESSING', ':key': 'uploads/a.jpg', ':createdAt': '2024-01-01T00:00:00.000Z' },
    });
  });

  it('lists the result attributes a new attempt clears', () => {
    // Act & Assess
    expect(RESULT_ATTRIBUTES).toEqual(expect.arrayContaining(['faces', 'faceCount', 'labels', 'text', 'moderation', 'failure']));
    expect(RESULT_ATTRIBUTES).not.toContain('createdAt');
  });

  it.each([
    [{ name: 'ConditionalCheckFailedException' }, true],
    [{ name: 'DynamoDB.ConditionalCheckFailedException' }, true],
    [{ name: 'DynamoDB.ThrottlingException' }, false],
    [undefined, false],
  ])('recognises %o as a failed condition: %s', (error, expected) => {
    // Act & Assess
    expect(isConditionalCheckFailed(error)).toBe(expected);
  });
});
