import { InvalidEventError } from '../../../tasks/shared/errors';
import { formDecodedKey, isFolderKey, parseS3Event } from '../../../tasks/shared/s3-event';
import { AWKWARD_KEYS } from '../../support/awkward-keys';
import { BUCKET, s3Event, SEQUENCER } from './factories';

const OPTIONS = { uploadPrefix: 'uploads/' };

describe('Module: s3-event', () => {
  describe('parseS3Event with the raw keys EventBridge delivers', () => {
    it.each(AWKWARD_KEYS)('keeps %s byte for byte', (_, name) => {
      // Prepare: the event exactly as EventBridge sends it, the key not encoded
      const key = `uploads/${name}`;
      const event = s3Event({ key });

      // Act
      const image = parseS3Event(event, OPTIONS);

      // Assess
      expect(Buffer.from(image.key)).toEqual(Buffer.from(key));
      expect(image.imageId).toBe(`${BUCKET}/${key}`);
    });
  });

  describe('formDecodedKey', () => {
    it.each([
      ['uploads/a+b.jpg', 'uploads/a b.jpg'],
      ['uploads/a%2Bb.jpg', 'uploads/a+b.jpg'],
      ['uploads/50%25off.png', 'uploads/50%off.png'],
      ['uploads/caf%C3%A9+1.jpg', 'uploads/café 1.jpg'],
    ])('reads %s as the form-encoded %s', (key, decoded) => {
      // Act & Assess
      expect(formDecodedKey(key)).toBe(decoded);
    });

    it.each([
      ['not valid encoding', 'uploads/100% real.jpg'],
      ['reads the same', 'uploads/red flower.jpg'],
    ])('has no second reading for a key that is %s', (_, key) => {
      // Act & Assess
      expect(formDecodedKey(key)).toBeUndefined();
    });
  });

  describe('isFolderKey', () => {
    it.each([
      ['uploads/x/', true],
      ['uploads/', true],
      ['uploads/x', false],
      ['uploads/x/y.jpg', false],
    ])('says %s is a folder marker: %s', (key, folder) => {
      // Act & Assess
      expect(isFolderKey(key)).toBe(folder);
    });
  });

  describe('parseS3Event', () => {
    it('returns the image the event names', () => {
      // Prepare
      const event = s3Event({ key: 'uploads/my photo+1.jpg', versionId: 'v1' });

      // Act
      const image = parseS3Event(event, OPTIONS);

      // Assess
      expect(image).toEqual({
        imageId: `${BUCKET}/uploads/my photo+1.jpg`,
        bucket: BUCKET,
        key: 'uploads/my photo+1.jpg',
        versionId: 'v1',
        etag: 'b1946ac92492d2347c6235b4d2611184',
        size: 12345,
        sequencer: SEQUENCER,
        eventTime: '2026-11-23T18:00:00Z',
      });
    });

    it('leaves versionId out for an unversioned bucket', () => {
      // Act
      const image = parseS3Event(s3Event(), OPTIONS);

      // Assess
      expect(image).not.toHaveProperty('versionId');
    });

    it('accepts any key when the upload prefix is empty', () => {
      // Act & Assess
      expect(parseS3Event(s3Event({ key: 'anywhere.png' }), { uploadPrefix: '' }).key).toBe('anywhere.png');
    });

    it.each([
      ['a derived thumbnail', s3Event({ key: 'thumbnails/cat-cover-128x128.jpg' }), /outside the upload prefix "uploads\/"/],
      ['a normalized copy', s3Event({ key: 'normalized/uploads/cat.jpg' }), /outside the upload prefix/],
      ['another source', { ...s3Event(), source: 'aws.ec2' }, /expected an S3 "Object Created" event/],
      ['another detail-type', { ...s3Event(), 'detail-type': 'Object Deleted' }, /got "Object Deleted"/],
      ['a missing detail', { ...s3Event(), detail: undefined }, /missing detail.bucket.name, detail.object.key/],
      ['a missing sequencer', withObject({ sequencer: undefined }), /missing detail.object.sequencer/],
      ['a missing size', withObject({ size: undefined }), /missing detail.object.size/],
      ['a bad sequencer', withObject({ sequencer: 'xyz' }), /sequencer "xyz" is not a hexadecimal string/],
      ['not an object', 'hello', /not an EventBridge event/],
      ['null', null, /not an EventBridge event/],
    ])('rejects %s with a readable InvalidEventError', (_, event, message) => {
      // Act
      const act = () => parseS3Event(event, OPTIONS);

      // Assess
      expect(act).toThrow(InvalidEventError);
      expect(act).toThrow(message);
    });
  });
});

function withObject(fields: Record<string, unknown>): unknown {
  const event = s3Event();
  return { ...event, detail: { ...event.detail, object: { ...event.detail.object, ...fields } } };
}
