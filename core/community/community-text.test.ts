import { describe, expect, it } from 'vitest';
import { DomainError } from '../kernel/errors.ts';
import { anonymize, forCommunity, neutralizeAllMentions, normalizeTags, requireText, TITLE_MAX, titleFrom } from './community-text.ts';
import { CommunityRef } from './model.ts';

describe('requireText', () => {
  it('refuses empty and over-long text with the field and the limit', () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return DomainError.is(e) ? [e.code, e.params] : e;
      }
      return 'accepted';
    };
    expect(refusal(() => requireText('   ', 'question', 10))).toEqual(['text_empty', { field: 'question' }]);
    expect(refusal(() => requireText('troppo corto', 'question', 100, 20))).toEqual(['text_empty', { field: 'question' }]);
    expect(refusal(() => requireText('x'.repeat(11), 'answer', 10))).toEqual(['text_too_long', { field: 'answer', max: 10, n: 11 }]);
    expect(requireText('  ok  ', 'answer', 10)).toBe('ok');
  });
});

describe('titleFrom', () => {
  it.each([
    ['La stampante non stampa, chiamatemi al 333 1234567', 'La stampante non stampa'],
    ['Scanner, rotto da ieri. Aiuto!', 'Scanner, rotto da ieri'],
    ['Come configuro la PEC?\nGrazie', 'Come configuro la PEC'],
  ])('%j → %j', (text, title) => {
    expect(titleFrom(text)).toBe(title);
  });

  it('cuts a long first sentence at a word', () => {
    const title = titleFrom('parola '.repeat(60));
    expect(title.length).toBeLessThanOrEqual(TITLE_MAX);
    expect(title.endsWith('parola…')).toBe(true);
  });
});

describe('mentions and personal details', () => {
  it('breaks every mention, mass or personal, on every platform', () => {
    const out = neutralizeAllMentions('@everyone <!here> <@U123> <@&55> @giulia.rossi mail@example.org');
    expect(out).not.toMatch(/@(everyone|giulia)/);
    expect(out).not.toMatch(/<[!@]/);
  });

  it('masks e-mails and phones in channel text', () => {
    expect(forCommunity('scrivi a anna@ente.org o chiama il 333 1234567', 200)).toBe('scrivi a [email] o chiama il [tel]');
  });

  it('takes the organisation and the people out of an article, whole words only', () => {
    const text =
      "Anna Romano dell'Associazione Girasole ODV ha chiamato; anna ha riavviato il router del Girasole. Annalisa no. Giulia Rossi: fatto per l'associazione.";
    const out = anonymize(text, { organisations: ['Associazione Girasole ODV'], people: ['Anna Romano', 'Giulia Rossi'] });
    expect(out).toBe(
      "[persona] dell'[ente] ha chiamato; [persona] ha riavviato il router del [ente]. Annalisa no. [persona]: fatto per l'associazione.",
    );
  });
});

describe('normalizeTags / CommunityRef', () => {
  it('folds tags and keeps each once', () => {
    expect(normalizeTags(['#Stampante', 'rete', '#RETE', '#wi-fì!', '#'])).toEqual(['stampante', 'rete', 'wi-fi']);
  });

  it('reads ids as people type them', () => {
    expect(CommunityRef.parse('q-7')).toEqual({ kind: 'question', ref: 'Q-000007' });
    expect(CommunityRef.parse('KB 000012')).toEqual({ kind: 'article', ref: 'KB-000012' });
    expect(CommunityRef.parse('an-3')?.ref).toBe('AN-000003');
    expect(CommunityRef.parse('INC-1')).toBeUndefined();
    expect(CommunityRef.parseAs('answer', 'Q-1')).toBeUndefined();
  });
});
