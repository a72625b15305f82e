# libcallboard for CMake: `find_package(callboard 0.4 CONFIG REQUIRED)`, then link a target
# with one of
#
#   callboard::callboard  the shared library, or the static one when callboard_USE_STATIC_LIBS
#                         is ON (or when only the static library is installed);
#   callboard::shared     libcallboard.so, found at run time by its soname;
#   callboard::static     libcallboard.a and the system libraries it needs.
#
# Installed by `cargo cinstall` as $datadir/cmake/callboard/ (see ffi/README.md). The package
# is relocatable: it finds the header and the libraries from where it lies, so a prefix staged
# with DESTDIR, moved, or unpacked from a package works as installed. It expects the default
# layout under the prefix: include/ and share/, and the libraries in lib/, lib64/ or
# lib/<multiarch triple>/ (cargo-c's default on Debian).

cmake_minimum_required(VERSION 3.11)

get_filename_component(_callboard_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

find_path(callboard_INCLUDE_DIR callboard.h
  PATHS "${_callboard_prefix}/include" NO_DEFAULT_PATH)
set(_callboard_libdirs lib lib64)
if(CMAKE_LIBRARY_ARCHITECTURE)
  list(INSERT _callboard_libdirs 0 "lib/${CMAKE_LIBRARY_ARCHITECTURE}")
endif()
find_library(callboard_SHARED_LIBRARY
  NAMES "${CMAKE_SHARED_LIBRARY_PREFIX}callboard${CMAKE_SHARED_LIBRARY_SUFFIX}"
  PATHS "${_callboard_prefix}" PATH_SUFFIXES ${_callboard_libdirs} NO_DEFAULT_PATH)
find_library(callboard_STATIC_LIBRARY
  NAMES "${CMAKE_STATIC_LIBRARY_PREFIX}callboard${CMAKE_STATIC_LIBRARY_SUFFIX}"
  PATHS "${_callboard_prefix}" PATH_SUFFIXES ${_callboard_libdirs} NO_DEFAULT_PATH)
mark_as_advanced(callboard_INCLUDE_DIR callboard_SHARED_LIBRARY callboard_STATIC_LIBRARY)

if(NOT callboard_INCLUDE_DIR OR (NOT callboard_SHARED_LIBRARY AND NOT callboard_STATIC_LIBRARY))
  set(callboard_FOUND FALSE)
  set(callboard_NOT_FOUND_MESSAGE
    "libcallboard is not complete under ${_callboard_prefix}: callboard.h in include/ and "
    "libcallboard in lib/, lib64/ or lib/${CMAKE_LIBRARY_ARCHITECTURE}/ are needed")
  return()
endif()

if(callboard_USE_STATIC_LIBS AND NOT callboard_STATIC_LIBRARY)
  set(callboard_FOUND FALSE)
  set(callboard_NOT_FOUND_MESSAGE
    "callboard_USE_STATIC_LIBS is ON but no libcallboard.a is installed under ${_callboard_prefix}")
  return()
endif()

if(callboard_SHARED_LIBRARY AND NOT TARGET callboard::shared)
  # Link by the real file, record the soname: what the loader looks for at run time.
  get_filename_component(_callboard_real "${callboard_SHARED_LIBRARY}" REALPATH)
  add_library(callboard::shared SHARED IMPORTED)
  set_target_properties(callboard::shared PROPERTIES
    IMPORTED_LOCATION "${_callboard_real}"
    IMPORTED_SONAME "libcallboard.so.${callboard_VERSION_MAJOR}.${callboard_VERSION_MINOR}"
    INTERFACE_INCLUDE_DIRECTORIES "${callboard_INCLUDE_DIR}")
  if(callboard_VERSION_MAJOR GREATER 0)
    set_target_properties(callboard::shared PROPERTIES
      IMPORTED_SONAME "libcallboard.so.${callboard_VERSION_MAJOR}")
  endif()
endif()

if(callboard_STATIC_LIBRARY AND NOT TARGET callboard::static)
  # What Rust's standard library needs on Linux (`rustc --print native-static-libs`, the
  # pkg-config file's Libs.private) but libgcc_s: the compiler driver links the unwinder itself,
  # libgcc_s as needed, or libgcc_eh in a fully static (-static) program, where libgcc_s
  # does not exist.
  set(THREADS_PREFER_PTHREAD_FLAG ON)
  include(CMakeFindDependencyMacro)
  find_dependency(Threads)
  add_library(callboard::static STATIC IMPORTED)
  set_target_properties(callboard::static PROPERTIES
    IMPORTED_LOCATION "${callboard_STATIC_LIBRARY}"
    IMPORTED_LINK_INTERFACE_LANGUAGES C
    INTERFACE_INCLUDE_DIRECTORIES "${callboard_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "Threads::Threads;m;dl;rt;util")
endif()

if(NOT TARGET callboard::callboard)
  add_library(callboard::callboard INTERFACE IMPORTED)
  if(callboard_USE_STATIC_LIBS OR NOT TARGET callboard::shared)
    set_target_properties(callboard::callboard PROPERTIES INTERFACE_LINK_LIBRARIES callboard::static)
  else()
    set_target_properties(callboard::callboard PROPERTIES INTERFACE_LINK_LIBRARIES callboard::shared)
  endif()
endif()

set(callboard_INCLUDE_DIRS "${callboard_INCLUDE_DIR}")
unset(_callboard_prefix)
unset(_callboard_libdirs)
unset(_callboard_real)
