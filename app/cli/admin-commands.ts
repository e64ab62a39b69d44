import { seedDemo } from '../seed-demo.ts';
import { defineCommand } from './command.ts';
import { cliText } from './messages.ts';

export const migrate = defineCommand({
  name: 'migrate',
  synopsis: '',
  summary: 'apply pending database migrations',
  options: {},
  parse: () => ({}),
  // Opening the database already migrates it; this reports what that did.
  async run(session) {
    const applied = session.runtime.migrations;
    return {
      json: { applied },
      text: applied.length
        ? cliText(session.locale, 'migrate.applied', { names: applied.join(', ') })
        : cliText(session.locale, 'migrate.none'),
    };
  },
});

export const seedDemoCommand = defineCommand({
  name: 'seed-demo',
  synopsis: '',
  summary: 'load the demo nonprofits, people and tickets (does nothing if already loaded)',
  options: {},
  parse: () => ({}),
  async run(session) {
    const result = await seedDemo(session.runtime.store, session.clock, { locale: session.locale });
    const text = result.seeded
      ? cliText(session.locale, 'seed.done', {
          orgs: result.organisations,
          people: result.people,
          tickets: result.tickets.join(', '),
        })
      : cliText(session.locale, 'seed.skipped');
    return { json: result, text };
  },
});
