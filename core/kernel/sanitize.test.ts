import { describe, expect, it } from 'vitest';
import { excerpt, forChannel, neutralizeMentions, redactPersonalDetails } from './sanitize.ts';

/** Substrings that make Slack, Discord or Telegram ping people or parse control sequences. */
const DANGEROUS = ['@everyone', '@here', '@channel', '@all', '<!', '<@', '<#'];
const dangerousIn = (s: string): string[] => DANGEROUS.filter((d) => s.toLowerCase().includes(d.toLowerCase()));

describe('neutralizeMentions', () => {
  it.each([
    '@everyone',
    '@here',
    '@channel',
    '@all',
    '@Everyone guardate qui',
    'ciao @HERE!',
    'urgente @channel, la rete è giù',
    '<!here>',
    '<!channel>',
    '<!everyone>',
    '<!subteam^S123|volontari>',
    '<@U123>',
    '<@U123|mario>',
    '<#C1>',
    '<#C1|generale>',
    '<@here>',
    '@@everyone',
    'mix: <!here> @everyone <@U1> <#C2> @channel',
  ])('breaks %j', (text) => {
    const out = neutralizeMentions(text);
    expect(dangerousIn(out)).toEqual([]);
    // Only invisible characters are added: the visible text is unchanged.
    expect(out.replaceAll('\u200b', '')).toBe(text);
  });

  it.each([
    'La stampante non stampa',
    'scrivi a mario (chiocciola) example.org',
    'mario@example.org',
    '@giulia.rossi puoi guardare?',
    '@hereford non è una menzione',
    'a < b e c > d',
    '',
  ])('leaves %j unchanged', (text) => {
    expect(neutralizeMentions(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = neutralizeMentions('<!here> @everyone <@U1>');
    expect(neutralizeMentions(once)).toBe(once);
  });
});

describe('redactPersonalDetails', () => {
  it.each([
    ['mario.rossi@example.org', '[email]'],
    ['Scrivete a Mario.Rossi+sportello@mail.example.it.', 'Scrivete a [email].'],
    ['mail: a_b-c@sub-domain.example.co.uk oppure x@y.it', 'mail: [email] oppure [email]'],
  ])('masks e-mail addresses: %j', (text, expected) => {
    expect(redactPersonalDetails(text)).toBe(expected);
  });

  it.each([
    ['+39 333 1234567', '[tel]'],
    ['02 12345678', '[tel]'],
    ['3331234567', '[tel]'],
    ['+393331234567', '[tel]'],
    ['+39 02 1234 5678', '[tel]'],
    ['tel. 02-1234567', 'tel. [tel]'],
    ['(02) 1234567', '[tel]'],
    ['333.123.4567', '[tel]'],
    ['Chiamami al 333 123 4567 dopo le 15', 'Chiamami al [tel] dopo le 15'],
  ])('masks phone numbers: %j', (text, expected) => {
    expect(redactPersonalDetails(text)).toBe(expected);
  });

  it.each([
    'stanza 12',
    'Windows 10',
    '2026',
    'Office 2019 su Windows 11',
    'INC-000042',
    'CAP 00184 Roma',
    'ore 9 15 30',
    'dal 2024 al 2026',
    'versione 10.0.19045',
    'nessun dato personale qui',
  ])('keeps %j', (text) => {
    expect(redactPersonalDetails(text)).toBe(text);
  });

  it.each([
    'ping <@1180000000000000001> e <@!1180000000000000002>',
    'ruolo <@&1180000000000000003> nel canale <#1180000000000000004>',
    'emoji <:stampante:1180000000000000005> alle <t:1767225600:R> con </ticket:1180000000000000006>',
    'Slack: <@U0123ABCD> in <#C0123ABCD|volontari> e <!subteam^S0123ABCD|@tecnici>',
  ])('leaves platform mention and channel tokens alone: %j', (text) => {
    expect(redactPersonalDetails(text)).toBe(text);
  });

  it('masks a phone number next to a mention, not the mention', () => {
    expect(redactPersonalDetails('<@1180000000000000001> chiamami al 333 123 4567')).toBe('<@1180000000000000001> chiamami al [tel]');
    // A short number in mention clothes is no Discord id: still masked.
    expect(redactPersonalDetails('<@3331234567>')).toBe('<@[tel]>');
    expect(forChannel('Vedi <@1180000000000000001>')).toBe('Vedi <\u200b@1180000000000000001>');
  });

  it('masks both in one text, keeping the rest', () => {
    expect(redactPersonalDetails('Giulia, giulia@ente.it, 347 765 4321, stanza 12')).toBe('Giulia, [email], [tel], stanza 12');
  });
});

describe('excerpt', () => {
  it.each([
    ['short', 10, 'short'],
    ['  ciao\n\n  mondo\t ', 100, 'ciao mondo'],
    ['abcdefghij', 10, 'abcdefghij'],
    ['abcdefghij', 5, 'abcd…'],
    ['abc def ghi', 5, 'abc…'],
    ['', 5, ''],
  ])('excerpt(%j, %i) = %j', (text, max, expected) => {
    expect(excerpt(text, max)).toBe(expected);
  });

  it('never exceeds max characters', () => {
    const long = 'parola '.repeat(100);
    for (const max of [1, 2, 10, 50, 280]) expect(excerpt(long, max).length).toBeLessThanOrEqual(max);
  });
});

describe('forChannel', () => {
  it('flattens, masks personal details and neutralizes mentions', () => {
    const out = forChannel('@everyone   la mail è\nmario@example.org, tel 333 1234567');
    expect(out.replaceAll('\u200b', '')).toBe('@everyone la mail è [email], tel [tel]');
    expect(dangerousIn(out)).toEqual([]);
  });

  it('cuts at 280 characters by default', () => {
    const out = forChannel('x'.repeat(500));
    expect(out).toHaveLength(280);
    expect(out.endsWith('…')).toBe(true);
  });

  it('honours a custom max', () => {
    expect(forChannel('La stampante del primo piano non stampa', 15)).toBe('La stampante d…');
  });

  // The cut must not split an e-mail or phone number into a part that the masks no longer
  // recognise: the part before the cut is still a personal detail.
  it.each([
    ['Scrivete a mario.rossi@example.org per favore', 25, 'mario.rossi'],
    ['Chiamami al 333 1234567 grazie', 20, '333 123'],
  ])('does not leak a personal detail cut by the excerpt: %j (max %i)', (text, max, leaked) => {
    const out = forChannel(text, max);
    expect(out.length).toBeLessThanOrEqual(max);
    expect(out).not.toContain(leaked);
  });
});
