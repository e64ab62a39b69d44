/**
 * `cruscotto` / `dashboard` in chat, through the engine on a real database: a personal one-time
 * link answered privately, in the asker's language; refused, with a clear message and no link
 * made, for someone the dashboard is not for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../core/dashboard/dashboard.ts';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
let volunteerId: string;
let observerId: string;

beforeAll(async () => {
  h = await createHarness();
  const org = await h.org('Associazione Il Girasole ODV', '97000000001');
  volunteerId = await h.person('vera', 'Vera Volontaria', ['volunteer']);
  observerId = await h.person('olga', 'Olga Osservatrice', ['observer']);
  await h.store.people.setLocale(observerId, 'en');
  await h.person('anna', 'Anna Richiedente', ['requester'], org);
  await h.person('luca', 'Luca Referente', ['ict_lead'], org);
  await h.bindVolunteers('volontari');
});
afterAll(() => h.close());

const tokenIn = (text: string | undefined) => /\/cruscotto\/entra\?t=([\w-]+)/.exec(text ?? '')?.[1];
const links = async () =>
  Number(
    (
      await h.tdb.db
        .selectFrom('dashboard_links' as never)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst()
    )?.n,
  );

describe('the dashboard command', () => {
  it('in a DM, Italian: a personal link valid 10 minutes, which signs the asker in once', async () => {
    await h.send({ from: 'vera', text: 'cruscotto' });
    const reply = h.sender.last('vera');
    expect(reply?.message.text).toContain('vale 10 minuti e si usa una sola volta');
    const token = tokenIn(reply?.message.text);
    expect(token).toBeDefined();
    expect(await signIn(h.store, h.clock, token!)).toMatchObject({ ok: true, personId: volunteerId });
    expect(await signIn(h.store, h.clock, token!)).toEqual({ ok: false, refused: 'used' });
  });

  it('in English for an English speaker (an observer), with the English command word', async () => {
    await h.send({ from: 'olga', text: 'dashboard' });
    const text = h.sender.last('olga')?.message.text;
    expect(text).toContain('valid for 10 minutes and works once');
    expect(await signIn(h.store, h.clock, tokenIn(text)!)).toMatchObject({ ok: true, personId: observerId });
  });

  it('an ICT lead gets a link too', async () => {
    await h.send({ from: 'luca', text: '/cruscotto' });
    expect(tokenIn(h.sender.last('luca')?.message.text)).toBeDefined();
  });

  it('in a channel the link is answered privately (only the asker sees it), never posted to the channel', async () => {
    const before = h.sender.to('volontari').length;
    await h.send({ from: 'vera', text: 'cruscotto', conversation: { id: 'volontari', kind: 'channel' } });
    const sent = h.sender.to('volontari').slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.ephemeralTo).toBe('vera');
    expect(sent[0]?.message.text).toContain('Ti rispondo in privato (solo tu vedi questo messaggio)');
    expect(tokenIn(sent[0]?.message.text)).toBeDefined();
  });

  it('a plain requester is refused in their language, and no link is made', async () => {
    const made = await links();
    await h.send({ from: 'anna', text: 'cruscotto' });
    const text = h.sender.last('anna')?.message.text;
    expect(text).toBe(
      'Il cruscotto è per volontari, moderatori, comitato etico, referenti ICT e osservatori. Se ti serve, chiedi il ruolo a un moderatore.',
    );
    expect(tokenIn(text)).toBeUndefined();
    expect(await links()).toBe(made);
  });

  it('is listed in aiuto for those it is for, not for a requester', async () => {
    await h.send({ from: 'vera', text: 'aiuto' });
    expect(h.sender.texts('vera').at(-1)).toContain('cruscotto: un link personale al cruscotto web');
    await h.send({ from: 'anna', text: 'aiuto' });
    expect(h.sender.texts('anna').at(-1)).not.toContain('cruscotto');
  });
});
