// The local EventBridge stand-in: the events it builds look like S3's, and the rule pattern that
// infra/ deploys decides which uploads start an execution.
import { matchesPattern } from '../../../local/events/event-pattern';
import { nextSequencer, objectCreatedEvent } from '../../../local/events/object-created-event';
import { AWKWARD_KEYS } from '../../support/awkward-keys';
import { objectDeletedEvent } from '../../../local/events/object-deleted-event';
import { uploadDeletedEventPattern, uploadEventPattern } from '../../../statemachines/trigger';
import type { CreatedObject } from '../../../local/s3/s3-server';

function created(key: string): CreatedObject {
  return { bucket: 'picflow-local', key, size: 10, etag: 'abc', reason: 'PutObject', eventTime: '2026-11-23T18:00:00.123Z' };
}

describe('Local events: S3 Object Created', () => {
  it.each(AWKWARD_KEYS)('puts the key with %s in the event raw, as EventBridge does', (_, name) => {
    // Act
    const event = objectCreatedEvent(created(`uploads/${name}`), 'local');

    // Assess
    expect(Buffer.from(event.detail.object.key)).toEqual(Buffer.from(`uploads/${name}`));
  });

  it('builds the EventBridge event shape, with a sequencer that increases on every write', () => {
    const first = objectCreatedEvent(created('uploads/a.png'), 'local');
    const second = objectCreatedEvent(created('uploads/a.png'), 'local');

    expect(first).toMatchObject({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      time: '2026-11-23T18:00:00Z',
      detail: { bucket: { name: 'picflow-local' }, object: { key: 'uploads/a.png', size: 10, etag: 'abc' }, reason: 'PutObject' },
    });
    expect(second.detail.object.sequencer > first.detail.object.sequencer).toBe(true);
    expect(second.id).not.toBe(first.id);
  });

  it('keeps sequencers strictly increasing within one millisecond', () => {
    const sequencers = Array.from({ length: 1000 }, () => nextSequencer());
    expect(new Set(sequencers).size).toBe(1000);
    expect([...sequencers].sort()).toEqual(sequencers);
  });
});

describe('Local events: the deployed rule pattern', () => {
  const pattern = uploadEventPattern('picflow-local', 'uploads/');

  it.each([
    ['uploads/cat.png', true],
    ['uploads/nested/dir/cat.png', true],
    ['thumbnails/cat.png/etag/cover-128x128.jpg', false],
    ['analysis/cat.png/etag/faces.json', false],
    ['normalized/cat.png/etag.jpg', false],
    ['cat.png', false],
  ])('%s starts an execution: %s', (key, expected) => {
    expect(matchesPattern(objectCreatedEvent(created(key), 'local'), pattern)).toBe(expected);
  });

  it('ignores another bucket and other event types', () => {
    const other = objectCreatedEvent({ ...created('uploads/a.png'), bucket: 'other' }, 'local');
    const deleted = { ...objectCreatedEvent(created('uploads/a.png'), 'local'), 'detail-type': 'Object Deleted' };
    expect(matchesPattern(other, pattern)).toBe(false);
    expect(matchesPattern(deleted, pattern)).toBe(false);
  });

  it('supports the operators EventBridge patterns use, and refuses unknown ones', () => {
    const event = { detail: { size: 5, tags: ['a', 'b'], key: 'x.png' } };
    expect(matchesPattern(event, { detail: { tags: ['b'] } })).toBe(true);
    expect(matchesPattern(event, { detail: { key: [{ suffix: '.png' }] } })).toBe(true);
    expect(matchesPattern(event, { detail: { key: [{ 'anything-but': 'x.png' }] } })).toBe(false);
    expect(matchesPattern(event, { detail: { missing: [{ exists: false }] } })).toBe(true);
    expect(matchesPattern(event, { detail: { size: [{ exists: true }] } })).toBe(true);
    expect(() => matchesPattern(event, { detail: { size: [{ numeric: ['>', 1] } as never] } })).toThrow(
      /Unsupported event pattern operator/,
    );
  });
});

describe('Local events: S3 Object Deleted', () => {
  it("builds S3's event for a delete in an unversioned bucket, matched by the deployed rule's pattern under the upload prefix only", () => {
    // Prepare
    const deleted = {
      bucket: 'picflow-local',
      key: 'uploads/a b+c.png',
      sequencer: '00066130996A3598',
      eventTime: '2026-11-23T18:00:00.123Z',
    };

    // Act
    const upload = objectDeletedEvent(deleted, 'local');
    const thumbnail = objectDeletedEvent({ ...deleted, key: 'thumbnails/a b+c.png/abc/cover-128x128.jpg' }, 'local');

    // Assess
    expect(upload).toMatchObject({
      version: '0',
      source: 'aws.s3',
      'detail-type': 'Object Deleted',
      time: '2026-11-23T18:00:00Z',
      region: 'local',
      resources: ['arn:aws:s3:::picflow-local'],
      detail: {
        version: '0',
        bucket: { name: 'picflow-local' },
        object: { key: 'uploads/a b+c.png', sequencer: '00066130996A3598' },
        reason: 'DeleteObject',
        'deletion-type': 'Permanently Deleted',
      },
    });
    expect(upload.detail.object).not.toHaveProperty('version-id');
    const pattern = uploadDeletedEventPattern('picflow-local', 'uploads/');
    expect([matchesPattern(upload, pattern), matchesPattern(thumbnail, pattern)]).toEqual([true, false]);
  });
});
