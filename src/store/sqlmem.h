/*
 * SQLite's memory in a query process: size classes cut from mappings of
 * huge pages, instead of malloc (sqlmem.c says why).  Only before SQLite
 * starts: a process that queries calls it before it opens a database;
 * later, SQLite keeps to malloc.
 */
#ifndef KS_SQLMEM_H
#define KS_SQLMEM_H

void	ks_sqlmem_install(void);

#endif
