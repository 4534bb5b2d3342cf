/**
 * A cluster command applied to this node's connections (the broker calls `BrokerNode.control` on
 * every node, the origin included). Kept apart from the node: each command is a few lines over
 * the hub.
 */
import { CloseCode } from '@firetower/protocol';
import type { ControlCommand } from '../broker/types.js';
import type { DirectMessages } from './direct.js';
import type { Hub } from './hub.js';
import type { TowerImpl } from './tower.js';

export function applyControl<AppData>(command: ControlCommand, hub: Hub<TowerImpl<AppData>>, direct: DirectMessages): void {
  switch (command.kind) {
    case 'kickUser':
      for (const tower of hub.ofUser(command.userId)) tower.close(CloseCode.Kicked, command.reason ?? 'kicked');
      break;
    case 'unsubscribeUser':
      for (const tower of hub.ofUser(command.userId)) tower.removeByServer([command.topic]);
      break;
    case 'removeTopic':
      for (const tower of hub.subscribersOf(command.topic)) tower.removeByServer([command.topic]);
      break;
    case 'sendTo':
    case 'sendToUser':
      direct.apply(command);
      break;
    case 'reached':
      direct.reached(command);
      break;
  }
}
