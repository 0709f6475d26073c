/// \file
/// The umbrella header: everything a freestanding kernel needs from xenabi.
///
/// Include this and nothing else; or include the individual headers for faster builds.
#pragma once

#include <xenabi/core/barrier.hpp>
#include <xenabi/core/contract.hpp>
#include <xenabi/core/errno.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/core/types.hpp>
