/* version.h - the one place the tool version is written. */
#ifndef TCPSIFT_VERSION_H
#define TCPSIFT_VERSION_H

#define TCPSIFT_VERSION "0.4.2"

#endif
