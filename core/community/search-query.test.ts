import { describe, expect, it } from 'vitest';
import { correctable, foldText, MAX_GROUPS, queryWords, synonymsOf, topicTags, wordGroups } from './search-query.ts';

describe('queryWords', () => {
  it.each([
    ['Perché la STAMPANTE non stampa più?', ['stampante', 'stampa']],
    ["L'e-mail e la Wi-Fi", ['email', 'wifi']],
    ['posta elettronica certificata', ['email', 'certificata']],
    ['copia di sicurezza del server', ['backup', 'server']],
    ['the printer is not working', ['printer', 'working']],
    ['il il il', []],
    ['2025 123 a b', []],
  ])('%j → %j', (text, words) => {
    expect(queryWords(text)).toEqual(words);
  });

  it('folds to letters and digits only, so nothing typed can become query syntax', () => {
    expect(foldText("stampante & (rete | 'wifi') !:* <->")).toBe('stampante rete wifi');
    expect(queryWords("a & b | !c:* 'x'")).toEqual([]);
  });
});

describe('wordGroups', () => {
  it('puts each word with its synonyms, in both languages', () => {
    expect(wordGroups(['printer'])[0]).toContain('stampante');
    expect(wordGroups(['stampanti'])[0]).toEqual(expect.arrayContaining(['stampanti', 'stampante', 'printer']));
    expect(synonymsOf('videochiamate')).toContain('videoconferenza');
    expect(synonymsOf('frigorifero')).toEqual(['frigorifero']);
  });

  it('counts two words of one synonym group as one idea', () => {
    expect(wordGroups(['posta', 'email', 'lenta'])).toHaveLength(2);
  });

  it("adds the vocabulary's spelling for a misspelt word, with its synonyms, when close enough", () => {
    const close = new Map([
      ['stampnte', { word: 'stampante', similarity: 0.58 }],
      ['zorro', { word: 'zorba', similarity: 0.2 }],
      ['segreteria', { word: 'segreteria', similarity: 1 }],
    ]);
    // "zorro" is nowhere in the vocabulary, nor anything close: no post can match it, it is left out.
    expect(wordGroups(['stampnte', 'zorro', 'segreteria', 'pc'], close)).toEqual([
      expect.arrayContaining(['stampnte', 'stampante', 'printer']),
      ['segreteria'],
      expect.arrayContaining(['pc', 'computer']),
    ]);
    // Without the vocabulary's answer every word stays.
    expect(wordGroups(['zorro'])).toEqual([['zorro']]);
  });

  it('keeps at most MAX_GROUPS ideas of a long text', () => {
    const words = Array.from({ length: 30 }, (_, i) => `parola${String.fromCharCode(97 + i)}`);
    expect(wordGroups(words)).toHaveLength(MAX_GROUPS);
  });
});

describe('correctable / topicTags', () => {
  it('asks the vocabulary only about long, unknown words without digits', () => {
    expect(correctable(['pc', 'stampante', 'stampnte', 'win10', 'outlok'])).toEqual(['stampnte', 'outlok']);
  });

  it('tags a text with the first word of each group it mentions', () => {
    expect(topicTags('La stampante di rete e il Wi-Fi ospiti')).toEqual(['stampante', 'rete']);
  });
});
