/**
 * `cruscotto` / `dashboard`: a personal, one-time link to the web dashboard, always answered
 * privately (in a channel, only the asker sees it). Someone the dashboard is not for is told so,
 * in their language, and gets no link.
 */
import { type CommandSpec, type Feature, Grammar } from '../kernel/command.ts';
import { loginUrl, requestDashboardLink } from './dashboard.ts';
import { DashboardPolicy } from './dashboard-policy.ts';
import { m, t } from './messages.ts';

const commands: CommandSpec[] = [
  {
    name: 'dashboard',
    words: { it: ['cruscotto'], en: ['dashboard'] },
    grammar: Grammar.none,
    audience: ['volunteer', 'moderator', 'committee', 'ict_lead', 'observer'],
    section: 'monitoring',
    ...m.helpOf('dashboard'),
    async handle(turn) {
      const l = turn.locale;
      if (!DashboardPolicy.view(turn.ctx.actor)) return turn.say(t(l, 'dashboard.refused'));
      const { token } = await requestDashboardLink(turn.ctx);
      const link = t(l, 'dashboard.link', { url: loginUrl(turn.publicUrl, token) });
      turn.replyPrivately({ text: turn.inDm ? link : `${t(l, 'dashboard.link_private')}\n${link}` });
    },
  },
];

export const dashboardFeature: Feature = { name: 'dashboard', commands };
