import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  api,
  stagedObjects,
  storedBytes,
  storedParts,
  createRepo,
  digest,
  putBytes,
  randomBytes,
  requestUpload,
  withParams,
} from './upload-helpers.js';

describe('put_parts uploads', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({}, { background: false });
    await createRepo(server.ctx.db, 'acme', 'dev');
  });
  afterAll(async () => server.close());

  const uploadRow = (id: string) =>
    server.ctx.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('receives three parts, joins them in order on complete and removes the parts', async () => {
    const parts = [randomBytes(100_000), randomBytes(100_000), randomBytes(12_345)];
    const whole = Buffer.concat(parts);
    const upload = await requestUpload(server, 'dev', {
      filename: 'big.iso',
      md5_checksum: digest('md5', whole),
      method: 'put_parts',
    });
    // Sent out of order, the way a parallel client might; the last with the signature alone.
    for (const n of [2, 1, 3]) {
      const url = withParams(upload.upload_url, { upload_id: upload.identifier, part_number: n });
      const headers: Record<string, string> = n === 3 ? {} : { 'X-Api-Key': server.adminKey };
      const res = await putBytes(url, parts[n - 1]!, headers);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        identifier: upload.identifier,
        part_number: n,
        size: parts[n - 1]!.length,
      });
    }
    expect((await storedParts(server, upload.identifier)).sort()).toEqual(['1', '2', '3']);

    const res = await api(server, 'POST', `/files/acme/dev/${upload.identifier}/complete/`, {
      upload_id: upload.identifier,
      complete: true,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      identifier: upload.identifier,
      sha256_checksum: digest('sha256', whole),
      md5_checksum: digest('md5', whole),
      size: whole.length,
    });
    expect((await storedBytes(server, digest('sha256', whole)))?.equals(whole)).toBe(true);
    expect(await storedParts(server, upload.identifier)).toEqual([]);
    expect(
      await server.ctx.db
        .selectFrom('upload_parts')
        .selectAll()
        .where('upload_id', '=', upload.identifier)
        .execute(),
    ).toEqual([]);

    const again = await api(server, 'POST', `/files/acme/dev/${upload.identifier}/complete/`, {
      complete: true,
    });
    expect(again.status).toBe(201);
    const late = await putBytes(withParams(upload.upload_url, { part_number: 4 }), randomBytes(5), {
      'X-Api-Key': server.adminKey,
    });
    expect(late.status).toBe(410);
  });

  it('refuses to complete with a part missing, and with parts that do not match the declared checksum', async () => {
    const upload = await requestUpload(server, 'dev', {
      filename: 'gap.bin',
      sha256_checksum: digest('sha256', randomBytes(4)),
      method: 'put_parts',
    });
    const complete = () =>
      api(server, 'POST', `/files/acme/dev/${upload.identifier}/complete/`, {
        upload_id: upload.identifier,
        complete: true,
      });
    expect(await (await complete()).json()).toMatchObject({ code: 'upload_not_ready' });
    for (const n of [1, 3]) {
      await putBytes(withParams(upload.upload_url, { part_number: n }), randomBytes(100));
    }
    const gap = await complete();
    expect(gap.status).toBe(409);
    expect(await gap.json()).toMatchObject({
      code: 'upload_not_ready',
      detail: expect.stringContaining('part 2'),
    });
    await putBytes(withParams(upload.upload_url, { part_number: 2 }), randomBytes(100));
    const mismatch = await complete();
    expect(mismatch.status).toBe(422);
    expect(await mismatch.json()).toMatchObject({ code: 'checksum_mismatch' });
    expect((await uploadRow(upload.identifier)).state).toBe('receiving');
    expect(await stagedObjects(server)).toEqual([]);
  });

  it('discards the parts of an aborted upload and refuses further parts', async () => {
    const upload = await requestUpload(server, 'dev', { filename: 'ab.bin', method: 'put_parts' });
    expect(
      (await putBytes(withParams(upload.upload_url, { part_number: 1 }), randomBytes(1000))).status,
    ).toBe(200);
    const res = await api(server, 'POST', `/files/acme/dev/${upload.identifier}/abort/`);
    expect(res.status).toBe(204);
    expect((await uploadRow(upload.identifier)).state).toBe('aborted');
    expect(await storedParts(server, upload.identifier)).toEqual([]);
    const more = await putBytes(withParams(upload.upload_url, { part_number: 2 }), randomBytes(10));
    expect(more.status).toBe(410);
    const complete = await api(server, 'POST', `/files/acme/dev/${upload.identifier}/complete/`, {
      complete: true,
    });
    expect(complete.status).toBe(410);
  });

  it('refuses part numbers on whole-file uploads and a whole-file PUT on put_parts uploads', async () => {
    const whole = await requestUpload(server, 'dev', { filename: 'w.bin', method: 'put' });
    const res = await putBytes(withParams(whole.upload_url, { part_number: 1 }), randomBytes(10));
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ fields: { part_number: expect.any(Array) } });
    const parts = await requestUpload(server, 'dev', { filename: 'p.bin', method: 'put_parts' });
    expect((await putBytes(parts.upload_url, randomBytes(10))).status).toBe(422);
  });

  it('gives the URL of a part through the info endpoint', async () => {
    const upload = await requestUpload(server, 'dev', { filename: 'i.bin', method: 'put_parts' });
    const res = await api(
      server,
      'GET',
      `/files/acme/dev/${upload.identifier}/info/?filename=i.bin&part_number=2`,
    );
    expect(res.status).toBe(200);
    const info = (await res.json()) as { upload_url: string; upload_querystring: string };
    expect(new URL(info.upload_url).searchParams.get('part_number')).toBe('2');
    expect((await putBytes(info.upload_url, randomBytes(10))).status).toBe(200);
  });
});
