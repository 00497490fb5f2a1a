#pragma once

#include "messages/atoms.hpp"
#include "messages/types.hpp"

#include <caf/type_id.hpp>

CAF_BEGIN_TYPE_ID_BLOCK(kc_types, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(kc_types, (kc::object_key))
CAF_END_TYPE_ID_BLOCK(kc_types)
