import type { RouteDef } from '../route';
import { accountRoutes } from './account';
import { adminRoutes } from './admin';
import { campaignRoutes } from './campaigns';
import { carrierRoutes } from './carriers';
import { contactRoutes } from './contacts';
import { deadLetterRoutes } from './deadLetters';
import { groupRoutes } from './groups';
import { hookRoutes } from './hooks';
import { keywordRoutes } from './keywords';
import { lookupRoutes } from './lookups';
import { messageRoutes } from './messages';
import { operatorKeyRoutes } from './operatorKeys';
import { optOutRoutes } from './optOuts';
import { senderIdRoutes } from './senderIds';
import { virtualNumberRoutes } from './virtualNumbers';

/**
 * The route table: the single declaration of every HTTP route. The embedded host, the Azure
 * Functions registrations and the connector generator all read this list.
 */
export const routeTable: RouteDef[] = [...accountRoutes, ...messageRoutes, ...optOutRoutes, ...keywordRoutes, ...contactRoutes, ...groupRoutes, ...campaignRoutes, ...senderIdRoutes, ...virtualNumberRoutes, ...lookupRoutes, ...adminRoutes, ...operatorKeyRoutes, ...deadLetterRoutes, ...carrierRoutes, ...hookRoutes];
