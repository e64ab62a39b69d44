import { describe, expect, it } from 'vitest';
import { understand } from './understand.ts';

describe('understand: what a first message already says', () => {
  it.each<[string, ReturnType<typeof understand>]>([
    [
      'La stampante della segreteria non stampa, siamo fermi!',
      {
        kind: 'incident',
        urgency: 1,
        device: 'stampante della segreteria',
        title: 'La stampante della segreteria non stampa',
        description: 'La stampante della segreteria non stampa, siamo fermi!',
      },
    ],
    [
      'Vorrei un nuovo account di posta per la volontaria, non è urgente',
      {
        kind: 'service_request',
        urgency: 3,
        device: 'posta',
        title: 'Vorrei un nuovo account di posta per la volontaria',
        description: 'Vorrei un nuovo account di posta per la volontaria, non è urgente',
      },
    ],
    [
      "Urgente: tutto l'ufficio è senza internet",
      {
        urgency: 1,
        impact: 1,
        device: 'internet',
        title: "Urgente: tutto l'ufficio è senza internet",
        description: "Urgente: tutto l'ufficio è senza internet",
      },
    ],
    [
      'The printer is broken, only me',
      { kind: 'incident', impact: 3, device: 'printer', title: 'The printer is broken', description: 'The printer is broken, only me' },
    ],
    ['Il NAS è lento', { device: 'nas' }],
    ['ho un problema', {}],
    ['Scanner rotto', { kind: 'incident', device: 'scanner' }],
  ])('%j', (text, expected) => {
    expect(understand(text)).toEqual(expected);
  });

  it('reads no statement into mentions', () => {
    expect(understand('@everyone <!here> la stampante non stampa').impact).toBeUndefined();
  });

  it('leaves the kind open when the message names two', () => {
    expect(understand('Il PC non funziona, vorrei cambiarlo con uno nuovo').kind).toBeUndefined();
  });

  it('"non è urgente" is not urgent, though it says "urgente"', () => {
    expect(understand('Quando potete: la stampante non è urgente').urgency).toBe(3);
  });

  it('finds the device with its place', () => {
    expect(understand("Il pc dell'ufficio non parte").device).toBe("pc dell'ufficio");
    expect(understand('Il router in sala riunioni si blocca').device).toBe('router in sala');
    expect(understand('Problema con la posta certificata del presidente').device).toBe('posta certificata del presidente');
  });
});
