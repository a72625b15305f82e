# Which libcallboard this prefix holds, and whether it is the one `find_package(callboard X.Y)`
# asked for. Installed by `cargo cinstall` as $datadir/cmake/callboard/ (see ffi/README.md).
#
# The version is read from the installed header's CB_VERSION_* macros, so the header, the
# soname, the pkg-config file and this package cannot disagree. Compatibility follows the
# soname: from 1.0 a library serves any request of its major version up to its own version;
# before 1.0 each minor version is an ABI of its own (libcallboard.so.0.MINOR), so 0.4.2
# serves requests for 0.4.0 to 0.4.2 and nothing else.

get_filename_component(_callboard_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(_callboard_header "${_callboard_prefix}/include/callboard.h")
if(NOT EXISTS "${_callboard_header}")
  set(PACKAGE_VERSION "unknown")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
  return()
endif()

file(STRINGS "${_callboard_header}" _callboard_lines
  REGEX "^#define CB_VERSION_(MAJOR|MINOR|PATCH) [0-9]+$")
foreach(_callboard_part MAJOR MINOR PATCH)
  set(_callboard_${_callboard_part} "")
  foreach(_callboard_line IN LISTS _callboard_lines)
    if(_callboard_line MATCHES "^#define CB_VERSION_${_callboard_part} ([0-9]+)$")
      set(_callboard_${_callboard_part} "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  if(_callboard_${_callboard_part} STREQUAL "")
    set(PACKAGE_VERSION "unknown")
    set(PACKAGE_VERSION_UNSUITABLE TRUE)
    return()
  endif()
endforeach()
set(PACKAGE_VERSION "${_callboard_MAJOR}.${_callboard_MINOR}.${_callboard_PATCH}")

set(PACKAGE_VERSION_COMPATIBLE FALSE)
if(NOT PACKAGE_FIND_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
elseif(PACKAGE_FIND_VERSION VERSION_LESS_EQUAL PACKAGE_VERSION
       AND PACKAGE_FIND_VERSION_MAJOR EQUAL _callboard_MAJOR)
  if(NOT _callboard_MAJOR EQUAL 0 OR PACKAGE_FIND_VERSION_MINOR EQUAL _callboard_MINOR)
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
  endif()
endif()
if(PACKAGE_FIND_VERSION VERSION_EQUAL PACKAGE_VERSION)
  set(PACKAGE_VERSION_EXACT TRUE)
endif()
