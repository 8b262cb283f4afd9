import baseConfig from "@runnel/eslint-config/base";
import nextjsConfig from "@runnel/eslint-config/nextjs";
import reactConfig from "@runnel/eslint-config/react";

export default [...baseConfig, ...reactConfig, ...nextjsConfig];
