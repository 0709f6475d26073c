// The hosted headers a hypervisor or a test typically includes before ours. Their macros
// (errno values, math error codes, signal names, KVM and ELF constants) must not break any
// xenabi or hv header included afterwards.
#pragma once
#include <elf.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
