// Users, monitors and contacts: uniqueness, round trips of every field, token generations
// (revocation), change token.

import { describe, expect } from 'vitest';
import { ConflictError, InvalidCursorError } from '../contract.ts';
import { allDeliveries } from '../testing/deliveries.ts';
import { slugOnly } from '../testing/fixtures.ts';
import { CONTACT_TYPES, type MonitorQuery } from '../types.ts';
import { type ConformanceOptions, makeDelivery, monitorInput, newUser, useStore } from './harness.ts';

export function userAndMonitorCases(options: ConformanceOptions): void {
  describe('users', () => {
    const { store, test } = useStore(options);

    test('creates a user and finds it by id and by email in any case', async () => {
      const user = await store().createUser({ email: 'Alice@Example.com', password_hash: 'h1' });
      expect(user).toMatchObject({
        email: 'Alice@Example.com',
        password_hash: 'h1',
        status_slug: null,
        status_title: null,
        status_description: null,
      });
      expect(await store().getUser(user.id)).toEqual(user);
      expect(await store().getUserByEmail('alice@example.COM')).toEqual(user);
      expect(await store().getUser('no-such-user')).toBeNull();
      expect(await store().getUserByEmail('bob@example.com')).toBeNull();
    });

    test('refuses a second user with the same email in another case', async () => {
      await store().createUser({ email: 'alice@example.com', password_hash: 'h1' });
      await expect(store().createUser({ email: 'ALICE@example.com', password_hash: 'h2' })).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect((await store().getUserByEmail('alice@example.com'))?.password_hash).toBe('h1');
    });

    test('sets, finds and clears a status page slug; a taken slug conflicts', async () => {
      const alice = await newUser(store());
      const bob = await newUser(store());
      expect((await store().setStatusPage(alice.id, slugOnly('acme')))?.status_slug).toBe('acme');
      expect((await store().getUserByStatusSlug('acme'))?.id).toBe(alice.id);
      await expect(store().setStatusPage(bob.id, slugOnly('acme'))).rejects.toBeInstanceOf(ConflictError);
      expect((await store().setStatusPage(alice.id, null))?.status_slug).toBeNull();
      expect(await store().getUserByStatusSlug('acme')).toBeNull();
      expect((await store().setStatusPage(bob.id, slugOnly('acme')))?.status_slug).toBe('acme');
      expect(await store().setStatusPage('no-such-user', slugOnly('other'))).toBeNull();
    });

    test("keeps the status page's title and description with its slug; a new text keeps the slug; taking it down clears all", async () => {
      const alice = await newUser(store());
      const bob = await newUser(store());
      const page = { slug: 'acme', title: 'Acme « Cloud » 🚀', description: 'Our <b>services</b> & "APIs", in real time.' };
      const published = await store().setStatusPage(alice.id, page);
      expect(published).toMatchObject({ status_slug: 'acme', status_title: page.title, status_description: page.description });
      expect(await store().getUser(alice.id)).toEqual(published);
      expect(await store().getUserByStatusSlug('acme')).toEqual(published);

      // Same slug, new text: the slug stays Alice's.
      const retitled = await store().setStatusPage(alice.id, { slug: 'acme', title: 'Acme', description: null });
      expect(retitled).toMatchObject({ status_slug: 'acme', status_title: 'Acme', status_description: null });
      expect(await store().getUserByStatusSlug('acme')).toEqual(retitled);
      await expect(store().setStatusPage(bob.id, slugOnly('acme'))).rejects.toBeInstanceOf(ConflictError);

      // A new slug carries the text along and frees the old one.
      const moved = await store().setStatusPage(alice.id, { slug: 'acme-2', title: 'Acme', description: 'Moved' });
      expect(await store().getUserByStatusSlug('acme-2')).toEqual(moved);
      expect(await store().getUserByStatusSlug('acme')).toBeNull();

      const off = await store().setStatusPage(alice.id, null);
      expect(off).toMatchObject({ status_slug: null, status_title: null, status_description: null });
      expect(await store().getUser(alice.id)).toEqual(off);
      expect(await store().getUserByStatusSlug('acme-2')).toBeNull();
    });

    test('a password change replaces the hash and bumps the token generation; logout bumps it too', async () => {
      const user = await store().createUser({ email: 'Carol@example.com', password_hash: 'h1' });
      expect(user.token_generation).toBe(0);
      await store().setStatusPage(user.id, slugOnly('carol'));
      const changed = await store().updatePassword(user.id, 'h2');
      expect(changed).toEqual({ ...user, status_slug: 'carol', password_hash: 'h2', token_generation: 1 });
      expect(await store().getUser(user.id)).toEqual(changed);
      expect(await store().getUserByEmail('carol@example.com')).toEqual(changed);
      expect(await store().getUserByStatusSlug('carol')).toEqual(changed);
      const loggedOut = await store().bumpTokenGeneration(user.id);
      expect(loggedOut).toEqual({ ...changed, token_generation: 2 });
      expect(await store().getUser(user.id)).toEqual(loggedOut);
      expect(await store().updatePassword('no-such-user', 'h3')).toBeNull();
      expect(await store().bumpTokenGeneration('no-such-user')).toBeNull();
    });

    test('counts every one of concurrent logouts', async () => {
      const user = await newUser(store());
      await Promise.all([1, 2, 3].map(() => store().bumpTokenGeneration(user.id)));
      expect((await store().getUser(user.id))?.token_generation).toBe(3);
    });
  });

  describe('monitors', () => {
    const { store, test } = useStore(options);

    test('round-trips every field of a monitor', async () => {
      const owner = await newUser(store());
      const input = monitorInput({
        name: 'Shop',
        url: 'https://shop.example.com/',
        method: 'POST',
        interval_seconds: 45,
        timeout_ms: 7_500,
        expect_status: '200,204',
        keyword: 'Welcome',
        headers: { 'X-Token': 'abc', Accept: 'text/html', 'x-empty': '' },
        confirm_failures: 3,
        confirm_recoveries: 2,
        remind_every_minutes: 30,
        paused: true,
        tags: ['prod', 'eu', 'shop'],
        timezone: 'Europe/Paris',
        public: true,
      });
      const created = await store().createMonitor(owner.id, input);
      expect(created).toMatchObject({ ...input, owner_id: owner.id });
      expect(Object.keys(created.headers)).toEqual(['X-Token', 'Accept', 'x-empty']);
      expect(created.created_at).toBe(created.updated_at);
      expect(await store().getMonitor(owner.id, created.id)).toEqual(created);
      expect(await store().listMonitors(owner.id)).toEqual([created]);
    });

    test('patches only the given fields and bumps updated_at', async () => {
      const owner = await newUser(store());
      const created = await store().createMonitor(owner.id, monitorInput({ tags: ['a'], headers: { A: '1' } }));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const updated = await store().updateMonitor(owner.id, created.id, { name: 'Renamed', tags: ['b', 'c'], keyword: 'ok' });
      expect(updated).toMatchObject({ name: 'Renamed', tags: ['b', 'c'], keyword: 'ok', headers: { A: '1' }, url: created.url });
      expect(updated!.updated_at).toBeGreaterThanOrEqual(created.updated_at);
      expect(updated!.created_at).toBe(created.created_at);
      const cleared = await store().updateMonitor(owner.id, created.id, { headers: {}, keyword: null, paused: true });
      expect(cleared).toMatchObject({ headers: {}, keyword: null, paused: true, tags: ['b', 'c'] });
      expect(await store().getMonitor(owner.id, created.id)).toEqual(cleared);
      expect(await store().updateMonitor(owner.id, 'no-such-monitor', { name: 'x' })).toBeNull();
    });

    test('keeps the MONITORS_FILE mark: false unless created with it, kept by an update that does not name it', async () => {
      const owner = await newUser(store());
      const { managed_by_file: _unset, ...fromApi } = monitorInput({ name: 'api' });
      const [api, file] = await store().createMonitors(owner.id, [fromApi, monitorInput({ name: 'file', managed_by_file: true })]);
      expect(api?.managed_by_file).toBe(false);
      expect(file?.managed_by_file).toBe(true);
      const renamed = await store().updateMonitor(owner.id, file!.id, { name: 'file, renamed' });
      expect(renamed?.managed_by_file).toBe(true);
      expect((await store().listMonitors(owner.id)).map((m) => [m.name, m.managed_by_file])).toEqual([
        ['api', false],
        ['file, renamed', true],
      ]);
      expect((await store().listAllMonitors()).find((m) => m.id === file!.id)?.managed_by_file).toBe(true);
      expect((await store().findMonitors(owner.id, { limit: 10 })).items.map((m) => m.managed_by_file)).toEqual([false, true]);
    });

    test('lists oldest first and every owner in listAllMonitors', async () => {
      const a = await newUser(store());
      const b = await newUser(store());
      const first = await store().createMonitor(a.id, monitorInput({ name: 'first' }));
      const other = await store().createMonitor(b.id, monitorInput({ name: 'other' }));
      const second = await store().createMonitor(a.id, monitorInput({ name: 'second' }));
      expect((await store().listMonitors(a.id)).map((m) => m.id)).toEqual([first.id, second.id]);
      const all = (await store().listAllMonitors()).map((m) => m.id);
      expect(all.sort()).toEqual([first.id, other.id, second.id].sort());
    });

    test('deletes a monitor with its contacts; it disappears everywhere', async () => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput());
      await store().addContact(owner.id, monitor.id, { type: 'email', address: 'ops@example.com' });
      expect(await store().deleteMonitor(owner.id, monitor.id)).toBe(true);
      expect(await store().getMonitor(owner.id, monitor.id)).toBeNull();
      expect(await store().listMonitors(owner.id)).toEqual([]);
      expect(await store().listAllMonitors()).toEqual([]);
      expect(await store().listContacts(owner.id, monitor.id)).toEqual([]);
      expect(await store().deleteMonitor(owner.id, monitor.id)).toBe(false);
      expect(await store().updateMonitor(owner.id, monitor.id, { name: 'back' })).toBeNull();
    });

    test('creates monitors in bulk: listed in the order given, one change of the token, none for another owner', async () => {
      const owner = await newUser(store());
      const other = await newUser(store());
      const before = await store().createMonitor(owner.id, monitorInput({ name: 'first' }));
      const t0 = await store().monitorsChangeToken();
      const inputs = Array.from({ length: 30 }, (_, i) => monitorInput({ name: `bulk ${i}`, url: `https://bulk${i}.example/`, tags: [`t${i % 3}`] }));
      const created = await store().createMonitors(owner.id, inputs);
      expect(created.map((m) => m.name)).toEqual(inputs.map((i) => i.name));
      expect(new Set(created.map((m) => m.id)).size).toBe(30);
      expect(created[7]).toEqual(await store().getMonitor(owner.id, created[7]!.id));
      expect((await store().listMonitors(owner.id)).map((m) => m.name)).toEqual(['first', ...inputs.map((i) => i.name)]);
      expect(await store().listMonitors(other.id)).toEqual([]);
      expect(await store().getMonitor(other.id, created[0]!.id)).toBeNull();
      expect(await store().monitorsChangeToken()).not.toBe(t0);
      expect(await store().createMonitors(owner.id, [])).toEqual([]);
      expect(before.name).toBe('first');
    });

    test('finds monitors by text, tag, paused and ids, a page at a time, oldest first', async () => {
      const owner = await newUser(store());
      const other = await newUser(store());
      const [shop, blog, api, docs] = await store().createMonitors(owner.id, [
        monitorInput({ name: 'Shop front', url: 'https://shop.example.com/', tags: ['prod', 'web'] }),
        monitorInput({ name: 'Blog', url: 'https://blog.example.com/100%_real*', tags: ['web'] }),
        monitorInput({ name: 'API', url: 'https://api.example.com/health', tags: ['prod'], paused: true }),
        monitorInput({ name: 'Docs', url: 'https://docs.example.org/', tags: [] }),
      ]);
      await store().createMonitor(other.id, monitorInput({ name: 'Shop of another owner', tags: ['prod'] }));
      const names = async (query: Omit<MonitorQuery, 'limit'>) => (await store().findMonitors(owner.id, { limit: 100, ...query })).items.map((m) => m.name);

      expect(await names({})).toEqual(['Shop front', 'Blog', 'API', 'Docs']);
      expect(await names({ q: 'SHOP' })).toEqual(['Shop front']);
      expect(await names({ q: 'example.com' })).toEqual(['Shop front', 'Blog', 'API']);
      expect(await names({ q: '100%_real*' })).toEqual(['Blog']);
      expect(await names({ q: '%' })).toEqual(['Blog']);
      expect(await names({ q: 'nothing like it' })).toEqual([]);
      expect(await names({ tag: 'prod' })).toEqual(['Shop front', 'API']);
      expect(await names({ tag: 'pro' })).toEqual([]);
      expect(await names({ paused: true })).toEqual(['API']);
      expect(await names({ tag: 'prod', paused: false })).toEqual(['Shop front']);
      expect(await names({ ids: [docs!.id, shop!.id, 'no-such-id'] })).toEqual(['Shop front', 'Docs']);
      expect(await names({ ids: [] })).toEqual([]);

      const first = await store().findMonitors(owner.id, { limit: 3 });
      expect(first.items.map((m) => m.id)).toEqual([shop!.id, blog!.id, api!.id]);
      expect(first.items[0]).toEqual(shop);
      const second = await store().findMonitors(owner.id, { limit: 3, cursor: first.next_cursor! });
      expect(second).toEqual({ items: [docs], next_cursor: null });
      await expect(store().findMonitors(owner.id, { limit: 3, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    test('creates all monitors of a lot or none', async () => {
      const owner = await newUser(store());
      const inputs = [monitorInput({ name: 'ok 1' }), { ...monitorInput({ name: 'bad' }), interval_seconds: 'often' as unknown as number }, monitorInput({ name: 'ok 2' })];
      await expect(store().createMonitors(owner.id, inputs)).rejects.toThrow();
      expect(await store().listMonitors(owner.id)).toEqual([]);
    });

    test('changes the change token on create, update and delete only', async () => {
      const owner = await newUser(store());
      const t0 = await store().monitorsChangeToken();
      expect(await store().monitorsChangeToken()).toBe(t0);
      const monitor = await store().createMonitor(owner.id, monitorInput());
      const t1 = await store().monitorsChangeToken();
      expect(t1).not.toBe(t0);
      await store().updateMonitor(owner.id, monitor.id, { paused: true });
      const t2 = await store().monitorsChangeToken();
      expect(t2).not.toBe(t1);
      await store().addContact(owner.id, monitor.id, { type: 'sms', address: '+15551234567' });
      expect(await store().monitorsChangeToken()).toBe(t2);
      await store().deleteMonitor(owner.id, monitor.id);
      expect(await store().monitorsChangeToken()).not.toBe(t2);
    });
  });

  describe('contacts', () => {
    const { store, refresh, test } = useStore(options);

    test('keeps every contact type, in contacts and in the outbox (the chat and paging channels included)', async () => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput());
      const added = [];
      for (const type of CONTACT_TYPES) added.push(await store().addContact(owner.id, monitor.id, { type, address: `address-of-${type}` }));
      expect((await store().listContacts(owner.id, monitor.id)).map((c) => [c.type, c.address])).toEqual(CONTACT_TYPES.map((t) => [t, `address-of-${t}`]));
      const deliveries = CONTACT_TYPES.map((channel, i) => makeDelivery(monitor, { channel, address: `address-of-${channel}`, created_at: Date.UTC(2026, 5, 1) + i }));
      await store().enqueueDeliveries(deliveries);
      await refresh();
      const stored = await allDeliveries(store(), owner.id, monitor.id);
      expect(stored?.map((d) => d.channel).sort()).toEqual([...CONTACT_TYPES].sort());
    });

    test('adds, lists oldest first and deletes contacts of a monitor', async () => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput());
      const mail = await store().addContact(owner.id, monitor.id, { type: 'email', address: 'ops@example.com' });
      const hook = await store().addContact(owner.id, monitor.id, { type: 'webhook', address: 'https://hooks.example.com/x' });
      expect(mail).toMatchObject({ owner_id: owner.id, monitor_id: monitor.id, type: 'email', address: 'ops@example.com' });
      expect(await store().listContacts(owner.id, monitor.id)).toEqual([mail, hook]);
      expect(await store().deleteContact(owner.id, monitor.id, mail!.id)).toBe(true);
      expect(await store().deleteContact(owner.id, monitor.id, mail!.id)).toBe(false);
      expect(await store().listContacts(owner.id, monitor.id)).toEqual([hook]);
      expect(await store().addContact(owner.id, 'no-such-monitor', { type: 'email', address: 'x@example.com' })).toBeNull();
    });
  });
}
