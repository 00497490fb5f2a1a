// The single translation unit that compiles Boost.Asio and Boost.Beast.
// Every target links kc::asio, which sets the *_SEPARATE_COMPILATION macros,
// so the heavy implementation headers are compiled once instead of per file.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
