/** The Discord adapter's pure parts, without network: escaping, rendering, ids, error mapping. */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../core/kernel/outbox.ts';
import { commandText, slashCommands } from './discord-commands.ts';
import { toDeliveryError } from './discord-errors.ts';
import { addressedText } from './discord-inbound.ts';
import { BOT_PERMISSIONS, inviteUrl } from './discord-invite.ts';
import { clip, escapeDiscord } from './discord-markup.ts';
import { decodeCustomId, encodeCustomId, renderMessage } from './discord-render.ts';
import { nonceOf } from './discord-sender.ts';

const ZWSP = '\u200b';

describe('escapeDiscord', () => {
  it.each([
    ['@everyone and @here', `@${ZWSP}everyone and @${ZWSP}here`],
    ['<@123> <@!123> <@&456> <#789>', '\\<@123\\> \\<@!123\\> \\<@&456\\> \\<#789\\>'],
    ['<t:1700000000:R> </sportello:1> <:smile:42>', '\\<t:1700000000:R\\> \\</sportello:1\\> \\<:smile:42\\>'],
    [
      '**bold** _it_ __u__ ~~s~~ ||spoiler|| `code`',
      '\\*\\*bold\\*\\* \\_it\\_ \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\| \\`code\\`',
    ],
    ['[click](https://evil.example)', '\\[click\\](https://evil.example)'],
    [
      '# Title\n## Sub\n-# small\n- item\n+ item\n1. first\n> quote',
      '\\# Title\n\\## Sub\n\\-# small\n\\- item\n\\+ item\n1\\. first\n\\> quote',
    ],
    ['a\\b', 'a\\\\b'],
    ['see https://example.org/a_b*c?x=1 now', 'see https://example.org/a_b\\*c?x=1 now'],
    ['line one\nline two', 'line one\nline two'],
    ['C# is - fine 2. mid-line', 'C# is - fine 2. mid-line'],
  ])('%j', (input, expected) => {
    expect(escapeDiscord(input)).toBe(expected);
  });

  it('clips without leaving a dangling escape', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('ab\\*cd', 4)).toBe('ab…');
    expect(clip('short', 10)).toBe('short');
  });
});

describe('renderMessage', () => {
  const card = {
    title: 'INC-000001 · Stampante @everyone',
    text: 'Non stampa <@123>',
    fields: [
      { label: 'Priorità', value: 'P2' },
      { label: 'Vuoto', value: '' },
    ],
    buttons: [
      { actionId: 'ticket.claim', value: 'INC-000001', label: 'Prendo io', style: 'primary' as const },
      { actionId: 'ticket.details', value: 'INC-000001', label: 'Dettagli' },
    ],
  };

  it('renders a card as one escaped embed with buttons carrying their action', () => {
    const body = renderMessage(card);
    expect(body.content).toBe('');
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds).toEqual([
      {
        title: `INC-000001 · Stampante @${ZWSP}everyone`,
        description: 'Non stampa \\<@123\\>',
        fields: [
          { name: 'Priorità', value: 'P2' },
          { name: 'Vuoto', value: ZWSP },
        ],
      },
    ]);
    expect(body.components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, style: 1, label: 'Prendo io', custom_id: 'ticket.claim|INC-000001' },
          { type: 2, style: 2, label: 'Dettagli', custom_id: 'ticket.details|INC-000001' },
        ],
      },
    ]);
  });

  it('renders plain text as content, keeping line breaks, and an edit clears old buttons', () => {
    const body = renderMessage({ text: 'Riga 1\nRiga *2*' });
    expect(body).toEqual({ content: 'Riga 1\nRiga \\*2\\*', embeds: [], components: [], allowed_mentions: { parse: [] } });
  });

  it('puts at most 5 buttons per row and the select in its own row', () => {
    const buttons = Array.from({ length: 7 }, (_, i) => ({ actionId: 'ticket.rate', value: `INC-1:${i}`, label: '★'.repeat(i + 1) }));
    const body = renderMessage({
      text: 'Scegli',
      buttons,
      select: { actionId: 'pick', placeholder: 'Scegli…', options: [{ label: 'Uno', value: '1' }] },
    });
    expect(body.components.map((r) => r.components.length)).toEqual([1, 5, 2]);
    expect(body.components[0]!.components[0]).toMatchObject({ type: 3, custom_id: 'pick|', options: [{ label: 'Uno', value: '1' }] });
  });

  it('clips content to Discord limits', () => {
    expect(renderMessage({ text: 'x'.repeat(5000) }).content).toHaveLength(2000);
    expect(renderMessage({ title: 't', text: 'y'.repeat(5000) }).embeds[0]!.description).toHaveLength(4096);
  });
});

describe('custom ids', () => {
  it('round-trips actions, select values, and refuses ids Discord would reject', () => {
    expect(decodeCustomId(encodeCustomId('ticket.claim', 'INC-000001'))).toEqual({ id: 'ticket.claim', value: 'INC-000001' });
    expect(decodeCustomId(encodeCustomId('ticket.rate', 'INC-1:5'))).toEqual({ id: 'ticket.rate', value: 'INC-1:5' });
    expect(decodeCustomId('intake.keep|')).toEqual({ id: 'intake.keep', value: '' });
    expect(decodeCustomId('pick|', '2')).toEqual({ id: 'pick', value: '2' });
    expect(() => encodeCustomId('x', 'y'.repeat(100))).toThrow(DeliveryError);
  });
});

describe('toDeliveryError', () => {
  const apiError = (status: number, code: number) =>
    new DiscordAPIError({ code, message: 'refused' }, code, status, 'POST', 'http://x/api/v10/channels/1/messages', { body: {} });

  it('maps a rate limit to its Retry-After', () => {
    const e = toDeliveryError(
      new RateLimitError({
        timeToReset: 10,
        limit: 5,
        method: 'post',
        hash: 'h',
        url: 'u',
        route: '/channels/:id/messages',
        majorParameter: '1',
        global: false,
        retryAfter: 2050,
        sublimitTimeout: 0,
        scope: 'user',
      }),
    );
    expect(e.options).toEqual({ retryAfterMs: 2050 });
  });

  it('retries 5xx and network failures, gives up on refusals', () => {
    expect(toDeliveryError(new HTTPError(502, 'Bad Gateway', 'POST', 'u', { body: {} })).options).toEqual({ fateUnknown: true });
    expect(toDeliveryError(apiError(503, 0)).options).toEqual({});
    expect(toDeliveryError(new TypeError('fetch failed')).options).toEqual({ fateUnknown: true });
    for (const [status, code] of [
      [403, 50007],
      [403, 50013],
      [404, 10003],
      [404, 10008],
      [400, 50035],
    ] as const)
      expect(toDeliveryError(apiError(status, code)).options, `${status}/${code}`).toEqual({ permanent: true });
  });
});

describe('inbound helpers', () => {
  it('a guild message is for the bot when it starts with ! or mentions it', () => {
    expect(addressedText('<@42> canale volontari', '42')).toEqual({ addressed: true, text: 'canale volontari' });
    expect(addressedText('canale volontari <@!42>', '42')).toEqual({ addressed: true, text: 'canale volontari' });
    expect(addressedText('!stato INC-000001', '42')).toEqual({ addressed: true, text: '!stato INC-000001' });
    expect(addressedText('ciao <@43>', '42')).toEqual({ addressed: false, text: 'ciao <@43>' });
  });

  it('slash commands become engine text', () => {
    expect(commandText('sportello', (n) => ({ testo: 'canale volontari' })[n] ?? null)).toBe('canale volontari');
    expect(commandText('stato', (n) => ({ testo: 'INC-000007' })[n] ?? null)).toBe('/stato INC-000007');
    expect(commandText('aiuto', () => null)).toBe('/aiuto');
    expect(commandText('lingua', (n) => ({ testo: 'english' })[n] ?? null)).toBe('/lingua english');
    expect(commandText('sconosciuto', () => 'x')).toBe('');
    const commands = slashCommands();
    // Generated from the registry: one per command with a menu line, plus /sportello.
    expect(commands.map((c) => c.name)).toEqual(expect.arrayContaining(['sportello', 'aiuto', 'stato', 'prendi', 'sla', 'agenti']));
    for (const c of commands) {
      expect(c.name).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(c.name_localizations).toHaveProperty('en-US');
      expect(c.description_localizations).toHaveProperty('it');
      expect('description' in c ? (c.description ?? '').length : 0).toBeLessThanOrEqual(100);
    }
    expect(commands.find((c) => c.name === 'stato')?.name_localizations?.['en-US']).toBe('status');
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
  });

  it('the invite asks for exactly the documented permissions (docs/discord.md)', () => {
    expect(BOT_PERMISSIONS).toBe(309237730304n);
    expect(inviteUrl('42')).toBe(
      'https://discord.com/oauth2/authorize?client_id=42&scope=bot+applications.commands&permissions=309237730304',
    );
  });

  it('nonces fit Discord’s 25 characters and are stable per outbox row', () => {
    expect(nonceOf('0b4e7a52-5b1f-4c1e-9a51-3c9f0f4f7a10')).toHaveLength(25);
    expect(nonceOf('a')).toBe(nonceOf('a'));
    expect(nonceOf('a')).not.toBe(nonceOf('b'));
  });
});

describe('the wider mention', () => {
  it("allows @here only for the core's own flag", () => {
    const flagged = renderMessage({ text: 'INC-000001 aspetta da 4 ore', mention: 'here' });
    expect(flagged.content.startsWith('@here ')).toBe(true);
    expect(flagged.allowed_mentions).toEqual({ parse: ['everyone'] });
    const echoed = renderMessage({ text: '@here dal richiedente' });
    expect(echoed.allowed_mentions).toEqual({ parse: [] });
    expect(echoed.content.startsWith('@here')).toBe(false);
  });
});
