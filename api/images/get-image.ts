/** GET /images/{imageId}: the stored analysis of one image, with short-lived download URLs for it and its thumbnails. */
import type { S3Client } from '@aws-sdk/client-s3';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { imageKey } from '../../tasks/shared/image-table';
import type { ImageItem } from '../../tasks/shared/types';
import { DOWNLOAD_EXPIRES_SECONDS } from '../shared/api-config';
import { notFound } from '../shared/http';
import { presignGetUrl } from '../shared/presign';
import type { ImageLocation } from './image-id';

export interface ImageView {
  imageId: string;
  key: string;
  status: ImageItem['status'];
  statusReason?: string;
  uploadedAt?: string;
  completedAt?: string;
  format?: string;
  width?: number;
  height?: number;
  size: number;
  faces?: ImageItem['faces'];
  faceCount?: number;
  people?: ImageItem['people'];
  labels?: ImageItem['labels'];
  text?: ImageItem['text'];
  moderation?: ImageItem['moderation'];
  failure?: ImageItem['failure'];
  original: { url: string };
  thumbnails: { name: string; width: number; height: number; url: string }[];
  urlsExpireAt: string;
}

export async function getImage(
  image: ImageLocation,
  tableName: string,
  clients: { dynamo: DynamoDBDocumentClient; s3: S3Client },
  now = new Date(),
): Promise<ImageView> {
  const { Item } = await clients.dynamo.send(new GetCommand({ TableName: tableName, Key: imageKey(image.imageId) }));
  if (!Item) throw notFound(`There is no image "${image.imageId}": check the id, or wait a moment if it was uploaded just now.`);
  const item = Item as ImageItem;
  const url = (key: string) => presignGetUrl(clients.s3, item.bucket, key, DOWNLOAD_EXPIRES_SECONDS, now);
  return compact({
    imageId: item.imageId,
    key: item.key,
    status: item.status,
    statusReason: item.statusReason,
    uploadedAt: item.uploadedAt,
    completedAt: item.completedAt,
    format: item.format,
    width: item.width,
    height: item.height,
    size: item.size,
    faces: item.faces,
    faceCount: item.faceCount,
    people: item.people,
    labels: item.labels,
    text: item.text,
    moderation: item.moderation,
    failure: item.failure,
    original: { url: await url(item.key) },
    thumbnails: await Promise.all(
      (item.thumbnails ?? []).map(async (t) => ({ name: t.name, width: t.width, height: t.height, url: await url(t.key) })),
    ),
    urlsExpireAt: new Date(now.getTime() + DOWNLOAD_EXPIRES_SECONDS * 1000).toISOString(),
  });
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
