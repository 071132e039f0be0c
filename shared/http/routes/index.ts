import type { RouteDef } from '../route';
import { accountRoutes } from './account';
import { adminRoutes } from './admin';
import { auditRoutes } from './audit';
import { campaignRoutes } from './campaigns';
import { carrierRoutes } from './carriers';
import { problemResponses } from './common';
import { contactRoutes } from './contacts';
import { deadLetterRoutes } from './deadLetters';
import { groupRoutes } from './groups';
import { hookRoutes } from './hooks';
import { keyRoutes } from './keys';
import { keywordRoutes } from './keywords';
import { limitRoutes } from './limits';
import { lookupRoutes } from './lookups';
import { messageRoutes } from './messages';
import { operatorKeyRoutes } from './operatorKeys';
import { optOutRoutes } from './optOuts';
import { privacyRoutes } from './privacy';
import { senderIdRoutes } from './senderIds';
import { virtualNumberRoutes } from './virtualNumbers';

/**
 * The route table: the single declaration of every HTTP route. The embedded host, the Azure
 * Functions registrations and the connector generator all read this list.
 */
const declared: RouteDef[] = [
  ...accountRoutes,
  ...messageRoutes,
  ...optOutRoutes,
  ...privacyRoutes,
  ...keywordRoutes,
  ...contactRoutes,
  ...groupRoutes,
  ...campaignRoutes,
  ...senderIdRoutes,
  ...virtualNumberRoutes,
  ...lookupRoutes,
  ...keyRoutes,
  ...adminRoutes,
  ...operatorKeyRoutes,
  ...deadLetterRoutes,
  ...limitRoutes,
  ...carrierRoutes,
  ...hookRoutes,
  ...auditRoutes,
];

/**
 * The engine validates the query string and path parameters of every route but the carriers'
 * (an unknown query parameter is 400 even where a route declares none), so each declares that 400.
 */
const withValidationResponse = (r: RouteDef): RouteDef =>
  r.auth === 'carrier' || r.responses[400] ? r : { ...r, responses: { ...r.responses, ...problemResponses(400) } };

export const routeTable: RouteDef[] = declared.map(withValidationResponse);
