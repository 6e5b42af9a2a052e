import { InvalidEventError } from '../../../tasks/shared/errors';
import { decodeS3Key, parseS3Event } from '../../../tasks/shared/s3-event';
import { BUCKET, s3EncodeKey, s3Event, SEQUENCER } from './factories';

const OPTIONS = { uploadPrefix: 'uploads/' };

describe('Module: s3-event', () => {
  describe('decodeS3Key', () => {
    it.each([
      ['uploads/cat.jpg'],
      ['uploads/my holiday photo.jpg'],
      ['uploads/a+b=c.png'],
      ['uploads/1 + 1 = 2.png'],
      ['uploads/café/こんにちは 🐱.jpg'],
      ['uploads/100%25 literal%20percent.jpg'],
      ['uploads/50% off.jpg'],
      ['uploads/(weird) [chars] {ok} & ~ ! \' * ; , ? # @.jpeg'],
    ])('round-trips %s through S3 form encoding', (key) => {
      // Prepare
      const encoded = s3EncodeKey(key);

      // Act
      const decoded = decodeS3Key(encoded);

      // Assess
      expect(decoded).toBe(key);
    });

    it.each([
      ['uploads/my+photo.jpg', 'uploads/my photo.jpg'],
      ['uploads/a%2Bb.jpg', 'uploads/a+b.jpg'],
      ['uploads/%2520.jpg', 'uploads/%20.jpg'],
      ['uploads/caf%C3%A9.jpg', 'uploads/café.jpg'],
    ])('decodes the key %s as S3 sent it into %s', (encoded, key) => {
      // Act & Assess
      expect(decodeS3Key(encoded)).toBe(key);
    });

    it('rejects a key that is not valid URL encoding', () => {
      // Act & Assess
      expect(() => decodeS3Key('uploads/%E0%A4%A.jpg')).toThrow(InvalidEventError);
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
