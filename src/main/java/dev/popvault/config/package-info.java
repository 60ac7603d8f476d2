/**
 * Turns user input into validated settings: the server URL form and the password sources. Depends
 * on nothing else of popvault. Secrets read here are returned as char arrays and never appear in
 * messages.
 */
package dev.popvault.config;
