# Every public header belongs to a Doxygen module (one per porting-guide chapter): it is listed
# in docs/groups.dox with `\file <path>` + `\ingroup`, or says `\ingroup` itself. Otherwise the
# API reference would show it only in the flat file list, outside every chapter.
# usage: cmake -DROOT=<source dir> -P docs_groups.cmake
file(GLOB_RECURSE headers RELATIVE ${ROOT}/include ${ROOT}/include/*.hpp ${ROOT}/include/*.h)
file(READ ${ROOT}/docs/groups.dox dox)
set(missing "")
set(count 0)
foreach(h IN LISTS headers)
  if(h MATCHES "/detail/")
    continue()
  endif()
  math(EXPR count "${count} + 1")
  string(FIND "${dox}" "\\file ${h}\n" at)
  if(at EQUAL -1)
    file(READ ${ROOT}/include/${h} text)
    string(FIND "${text}" "\\ingroup " own)
    if(own EQUAL -1)
      list(APPEND missing ${h})
    endif()
  endif()
endforeach()
if(missing)
  list(JOIN missing "\n  " lines)
  message(FATAL_ERROR "headers in no Doxygen module (add a `\\file PATH` + `\\ingroup GROUP` "
                      "block to docs/groups.dox, next to the chapter's other headers):\n  ${lines}")
endif()
message(STATUS "docs_groups: all ${count} public headers belong to a module")
