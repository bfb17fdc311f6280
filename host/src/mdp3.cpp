// Names of MDP 3.0 decode errors, as printed in summaries and counters.
#include "ttq/mdp3.hpp"

namespace ttq::mdp3 {

const char* to_string(MsgError e) {
  switch (e) {
    case MsgError::kOk: return "ok";
    case MsgError::kPacketTooShort: return "packet_too_short";
    case MsgError::kMsgHeaderTruncated: return "msg_header_truncated";
    case MsgError::kMsgSizeTooSmall: return "msg_size_too_small";
    case MsgError::kMsgSizeOverrun: return "msg_size_overrun";
    case MsgError::kBadSchemaId: return "bad_schema_id";
    case MsgError::kRootTooShort: return "root_too_short";
    case MsgError::kGroupOverrun: return "group_overrun";
    case MsgError::kEntryTooShort: return "entry_too_short";
    case MsgError::kBadAction: return "bad_update_action";
    case MsgError::kBadEntryType: return "bad_entry_type";
    case MsgError::kBadLevel: return "bad_price_level";
    case MsgError::kNullPriceOrSize: return "null_price_or_size";
    case MsgError::kCount: break;
  }
  return "unknown";
}

}  // namespace ttq::mdp3
